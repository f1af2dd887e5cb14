namespace CitizenHub.Bench;

/// <summary>What <see cref="LabelledPopulation.Generate"/> makes: how many people, from which seed, with which error rates.</summary>
/// <remarks>The same options give the same population, value for value and row for row: nothing reads the clock.</remarks>
public sealed record PopulationOptions
{
    /// <summary>How many people to generate.</summary>
    /// <value>The default value is 20,000.</value>
    public int Persons { get; init; } = 20_000;

    /// <summary>The seed of every random choice.</summary>
    /// <value>The default value is 1.</value>
    public int Seed { get; init; } = 1;

    /// <summary>"Today" for ages and for the time the sources were extracted.</summary>
    /// <value>The default value is 1 January 2026.</value>
    public DateOnly ReferenceDate { get; init; } = new(2026, 1, 1);

    /// <summary>How often each kind of error is put into a source record.</summary>
    public ErrorRates Errors { get; init; } = new();

    /// <summary>How often the hard cases occur.</summary>
    public HardCaseRates HardCases { get; init; } = new();

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (Persons < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Persons), Persons, "at least one person is needed");
        }

        Errors.Validate();
        HardCases.Validate();
    }

    internal static void CheckRate(double rate, string name)
    {
        if (rate is < 0 or > 1 || double.IsNaN(rate))
        {
            throw new ArgumentOutOfRangeException(name, rate, "a rate is between 0 and 1");
        }
    }
}

/// <summary>
/// Per source record, the chance of each kind of error. Each is drawn independently for each record it can apply to
/// (a nickname only where the given name has one, a day/month swap only where the day is 12 or less and differs from the month).
/// </summary>
public sealed record ErrorRates
{
    /// <summary>One letter inserted, deleted, substituted or two transposed in the family name. Default 0.03.</summary>
    public double FamilyNameTypo { get; init; } = 0.03;

    /// <summary>The same in the first given name. Default 0.03.</summary>
    public double GivenNameTypo { get; init; } = 0.03;

    /// <summary>A nickname for the first given name (Margaret → Peggy), of records whose name has one. Default 0.05.</summary>
    public double Nickname { get; init; } = 0.05;

    /// <summary>Given and family name in each other's fields. Default 0.01.</summary>
    public double NamesSwapped { get; init; } = 0.01;

    /// <summary>Day and month of birth swapped, of records whose day is 12 or less. Default 0.015.</summary>
    public double DayMonthSwapped { get; init; } = 0.015;

    /// <summary>The person's previous address, in the sources that go stale (social care, the electoral register). Default 0.08.</summary>
    public double StaleAddress { get; init; } = 0.08;

    /// <summary>A married woman's maiden name, in the sources that go stale. Default 0.25.</summary>
    public double MaidenName { get; init; } = 0.25;

    /// <summary>Names all upper or all lower case (besides sources that always shout). Default 0.05.</summary>
    public double NameCase { get; init; } = 0.05;

    /// <summary>A postcode without its space or in lower case. Default 0.10.</summary>
    public double PostcodeFormat { get; init; } = 0.10;

    /// <summary>An NI number written in groups with spaces (<c>JG 10 37 92 A</c>). Default 0.25.</summary>
    public double NiNumberSpaced { get; init; } = 0.25;

    /// <summary>An NI or NHS number that breaks its own rules (bad prefix, bad check digit). Default 0.005.</summary>
    public double InvalidIdentifier { get; init; } = 0.005;

    internal void Validate()
    {
        PopulationOptions.CheckRate(FamilyNameTypo, nameof(FamilyNameTypo));
        PopulationOptions.CheckRate(GivenNameTypo, nameof(GivenNameTypo));
        PopulationOptions.CheckRate(Nickname, nameof(Nickname));
        PopulationOptions.CheckRate(NamesSwapped, nameof(NamesSwapped));
        PopulationOptions.CheckRate(DayMonthSwapped, nameof(DayMonthSwapped));
        PopulationOptions.CheckRate(StaleAddress, nameof(StaleAddress));
        PopulationOptions.CheckRate(MaidenName, nameof(MaidenName));
        PopulationOptions.CheckRate(NameCase, nameof(NameCase));
        PopulationOptions.CheckRate(PostcodeFormat, nameof(PostcodeFormat));
        PopulationOptions.CheckRate(NiNumberSpaced, nameof(NiNumberSpaced));
        PopulationOptions.CheckRate(InvalidIdentifier, nameof(InvalidIdentifier));
    }

    /// <summary>No errors at all: every record says exactly what is true (formatting conventions of each source aside).</summary>
    public static ErrorRates None { get; } = new()
    {
        FamilyNameTypo = 0, GivenNameTypo = 0, Nickname = 0, NamesSwapped = 0, DayMonthSwapped = 0, StaleAddress = 0,
        MaidenName = 0, NameCase = 0, PostcodeFormat = 0, NiNumberSpaced = 0, InvalidIdentifier = 0,
    };
}

/// <summary>How households are made up, and so how many hard cases there are.</summary>
public sealed record HardCaseRates
{
    /// <summary>Of households, the share that are a couple (spouses). Default 0.5.</summary>
    public double Couple { get; init; } = 0.5;

    /// <summary>Of couples, the share that share a family name (the wife's maiden name is kept). Default 0.8.</summary>
    public double SharedFamilyName { get; init; } = 0.8;

    /// <summary>Of households, the share with grown-up children living at home. Default 0.2.</summary>
    public double AdultChildren { get; init; } = 0.2;

    /// <summary>Of households with grown-up children, the share whose children include twins. Default 0.06.</summary>
    public double Twins { get; init; } = 0.06;

    /// <summary>Of households with a father and a grown-up son, the share where the son has his father's name. Default 0.3.</summary>
    public double NamesakeSon { get; init; } = 0.3;

    /// <summary>Of a namesake father's and son's records, the share that write Jr or Sr. Default 0.3.</summary>
    public double SuffixRecorded { get; init; } = 0.3;

    /// <summary>Of people, the share given a very common British name (John Smith), so that namesakes live in the same towns. Default 0.15.</summary>
    public double CommonName { get; init; } = 0.15;

    internal void Validate()
    {
        PopulationOptions.CheckRate(Couple, nameof(Couple));
        PopulationOptions.CheckRate(SharedFamilyName, nameof(SharedFamilyName));
        PopulationOptions.CheckRate(AdultChildren, nameof(AdultChildren));
        PopulationOptions.CheckRate(Twins, nameof(Twins));
        PopulationOptions.CheckRate(NamesakeSon, nameof(NamesakeSon));
        PopulationOptions.CheckRate(SuffixRecorded, nameof(SuffixRecorded));
        PopulationOptions.CheckRate(CommonName, nameof(CommonName));
    }
}
