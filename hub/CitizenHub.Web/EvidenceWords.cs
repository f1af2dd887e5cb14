using System.Globalization;
using CitizenHub.Matching;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Web;

/// <summary>
/// The matching engine's evidence said in words for the people who act on it: what each field compared as, and how much
/// that says. The weights are the engine's own (bits: each one doubles the odds); these are only their names.
/// </summary>
internal static class EvidenceWords
{
    public static string Field(string comparison) => comparison switch
    {
        MatchFields.GivenName => "Given name",
        MatchFields.MiddleNames => "Middle names",
        MatchFields.FamilyName => "Family name",
        MatchFields.DateOfBirth => "Date of birth",
        MatchFields.Address => "Address",
        MatchFields.NiNumber => "National Insurance number",
        MatchFields.NhsNumber => "NHS number",
        MatchFields.Email => "Email",
        MatchFields.Phone => "Phone",
        // Evidence kept before each scheme was explained under its own name.
        MatchFields.Identifier => "Identifier of a scheme the sources share",
        _ when comparison.StartsWith(MatchFields.SchemePrefix, StringComparison.Ordinal) => Display.SchemeName(comparison[MatchFields.SchemePrefix.Length..]),
        _ => comparison.Replace('_', ' '),
    };

    public static string Level(string comparison, string level) => (comparison, level) switch
    {
        (_, MatchModel.MissingLevel) => "not in both records",
        (MatchFields.Address, "same UPRN") => "the same property (its UPRN)",
        (MatchFields.Address, "same premises") => "the same house at the same postcode",
        (MatchFields.Address, "same postcode") => "the same postcode",
        (MatchFields.Address, "same postcode, other premises") => "the same postcode, another house",
        (MatchFields.Address, "same outward code") => "the same area (the first half of the postcode)",
        (MatchFields.DateOfBirth, "day and month swapped") => "the same, with day and month swapped",
        (MatchFields.DateOfBirth, "one digit") => "one digit different",
        (MatchFields.DateOfBirth, "same year and month") => "the same year and month, another day",
        (MatchFields.DateOfBirth, "same year") => "the same year only",
        (_, "exact") => "the same",
        (_, "nickname") => "a short form of the same name",
        (_, "close") => "nearly the same (a slip in typing)",
        (_, "other given name") => "another of their given names",
        (_, "initial") => "only the initial agrees",
        (_, "previous name") => "a former family name of the other",
        (_, "part") => "one part of a double name",
        (_, "phonetic") => "sounds the same, spelt differently",
        (_, "different") => "different",
        _ => level,
    };

    /// <summary>How much a weight says, in the words a steward would use.</summary>
    public static string Strength(double weight) => weight switch
    {
        >= 10 => "very strong evidence of one person",
        >= 3 => "strong evidence of one person",
        > 0 => "some evidence of one person",
        0 => "says nothing either way",
        > -3 => "some evidence of two people",
        _ => "strong evidence of two people",
    };

    public static string Sentence(FieldWeight field) =>
        $"{Field(field.Comparison)}: {Level(field.Comparison, field.Level)}{(field.TermFrequencyAdjusted ? " (weighed by how common the name is)" : "")}";

    public static string Weight(double weight) =>
        (weight > 0 ? "+" : weight < 0 ? "−" : "") + Math.Abs(weight).ToString("0.0", CultureInfo.InvariantCulture);

    public static string Band(MatchBand band) => band switch
    {
        MatchBand.Link => "Linked: the evidence is strong enough to treat them as one person",
        MatchBand.Review => "Uncertain: a steward decides",
        _ => "Two people",
    };

    /// <summary>A golden-record field's name as a label.</summary>
    public static string GoldenField(string field) => field switch
    {
        GoldenFields.Title => "Title",
        GoldenFields.GivenNames => "Given names",
        GoldenFields.FamilyName => "Family name",
        GoldenFields.DateOfBirth => "Date of birth",
        GoldenFields.DateOfDeath => "Date of death",
        GoldenFields.Address => "Address",
        GoldenFields.Postcode => "Postcode",
        GoldenFields.Uprn => "UPRN",
        GoldenFields.NiNumber => "National Insurance number",
        GoldenFields.NhsNumber => "NHS number",
        GoldenFields.Email => "Email",
        GoldenFields.Phone => "Phone",
        _ => field.Replace('_', ' '),
    };
}
