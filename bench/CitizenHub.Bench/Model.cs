using CitizenHub.Contracts;

namespace CitizenHub.Bench;

/// <summary>A generated person: the truth every source record of theirs is a more or less faithful copy of.</summary>
/// <param name="Id">The person's id in the truth (<c>P000001</c>).</param>
/// <param name="MaidenName">The family name a married woman was born with, where she took her husband's.</param>
/// <param name="Suffix"><c>Jr</c> or <c>Sr</c> for a father and son of the same name; sources write it only sometimes.</param>
/// <param name="PreviousAddress">Where the person lived before (another household may live there now).</param>
public sealed record Person(
    string Id,
    string HouseholdId,
    string Title,
    string GivenName,
    string? MiddleNames,
    string FamilyName,
    string? MaidenName,
    string? Suffix,
    Sex Sex,
    DateOnly DateOfBirth,
    string NiNumber,
    string NhsNumber,
    string? Email,
    string? Phone,
    Property Address,
    Property PreviousAddress);

public enum Sex
{
    Female,
    Male,
}

/// <summary>A property with its UPRN: a house (<c>12 Gaol Road</c>) or a flat in a named building (<c>Flat 3A, Castle House, 12 Gaol Road</c>).</summary>
public sealed record Property(string Uprn, string? Flat, string? Building, int Number, string Street, string Town, string Postcode)
{
    /// <summary>The address lines as a council writes them: the flat and building first, then the number and street.</summary>
    public IReadOnlyList<string> Lines => Flat is null
        ? [$"{Number} {Street}"]
        : [$"{Flat}, {Building}", $"{Number} {Street}"];
}

/// <summary>Which record of which source: the pair that identifies a source record for ever.</summary>
public readonly record struct RecordRef(string SourceSystem, string SourceKey);

/// <summary>Two people who are easy to merge by mistake, by person id.</summary>
public readonly record struct PersonPair(string First, string Second);

/// <summary>The kinds of error put into a source record (several may apply at once).</summary>
[Flags]
public enum InjectedErrors
{
    None = 0,
    FamilyNameTypo = 1 << 0,
    GivenNameTypo = 1 << 1,
    Nickname = 1 << 2,
    NamesSwapped = 1 << 3,
    DayMonthSwapped = 1 << 4,
    DateOfBirthMissing = 1 << 5,
    MaidenName = 1 << 6,
    StaleAddress = 1 << 7,
    NameCase = 1 << 8,
    PostcodeFormat = 1 << 9,
    NiNumberSpaced = 1 << 10,
    InvalidNiNumber = 1 << 11,
    InvalidNhsNumber = 1 << 12,
}

/// <summary>One source record as generated: whose it is, what went wrong in it, and the record itself.</summary>
/// <param name="Record">The canonical record; its <see cref="SourceRecord.RawFields"/> hold the row exactly as the source file writes it.</param>
public sealed record GeneratedRecord(string PersonId, InjectedErrors Errors, SourceRecord Record)
{
    public RecordRef Ref => new(Record.SourceSystem, Record.SourceKey);
}

/// <summary>The answer key: whose every source record is, and the hard pairs to watch.</summary>
public sealed record LinkageTruth(
    IReadOnlyDictionary<RecordRef, string> PersonByRecord,
    IReadOnlyList<PersonPair> Twins,
    IReadOnlyList<PersonPair> FatherSon,
    IReadOnlyList<PersonPair> Spouses);

/// <summary>A generated population: the people, their source records, and the truth.</summary>
public sealed partial record LabelledPopulation(
    PopulationOptions Options,
    IReadOnlyList<Person> Persons,
    IReadOnlyList<GeneratedRecord> Records,
    LinkageTruth Truth);
