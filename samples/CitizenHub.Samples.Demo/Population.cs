using System.Globalization;

namespace CitizenHub.Samples.Demo;

/// <summary>A fictional resident of the demo's council, as the truth the four systems each hold part of.</summary>
public sealed record Resident(
    int Id,
    char Sex,
    string Title,
    string GivenName,
    string? MiddleName,
    string FamilyName,
    string? BirthFamilyName,
    DateOnly DateOfBirth,
    string NiNumber,
    string Phone,
    string? Email,
    Home Home,
    Home? PreviousHome,
    int Household);

/// <summary>A dwelling: its address as the local land and property gazetteer would write it.</summary>
public sealed record Home(string? Flat, string? Building, string? Number, string Street, string Town, string Postcode, string Uprn)
{
    /// <summary>The first line as a person would write it: <c>Flat 3, Castle House</c> or <c>14 Weston Road</c>.</summary>
    public string Line1 => Flat is not null ? $"Flat {Flat}, {Building}" : $"{Number} {Street}";

    /// <summary>The street under a flat's first line; nothing under a house's.</summary>
    public string? Line2 => Flat is not null ? $"{Number} {Street}".Trim() : null;
}

/// <summary>
/// The demo's residents: households at realistic Stafford-area addresses, with partners (some with a birth family
/// name), grown-up children, a father and son of one name, and movers who left an old address behind in some systems.
/// Everything is drawn from one <see cref="Random"/> seeded by the caller, in a fixed order, and formatted in the
/// invariant culture, so one seed gives the same people on every machine.
/// </summary>
public static class Population
{
    /// <summary>The day the extracts were taken: ages and tenancies are counted to it, never to the clock.</summary>
    public static readonly DateOnly ExtractDate = new(2026, 11, 30);

    private static readonly string[] MaleNames =
    [
        "James", "John", "David", "Michael", "Robert", "William", "Thomas", "Richard", "Daniel", "Matthew", "Andrew",
        "Mark", "Paul", "Peter", "Stephen", "Anthony", "Gareth", "Rhys", "Seán", "Ciarán", "Mohammed", "Imran",
        "Arjun", "Tomasz", "Kwame", "Oliver", "Harry", "George", "Liam", "Connor", "Callum", "Kieran", "Nathan",
        "Samuel", "Joseph", "Edward", "Kenneth", "Brian", "Colin", "Keith", "Derek", "Wayne", "Graham", "Neil",
    ];

    private static readonly string[] FemaleNames =
    [
        "Margaret", "Elizabeth", "Susan", "Patricia", "Sarah", "Emma", "Rebecca", "Jennifer", "Catherine", "Helen",
        "Rachel", "Laura", "Claire", "Nicola", "Joanne", "Karen", "Deborah", "Amanda", "Michelle", "Siân", "Zoë",
        "Chloë", "Renée", "Aoife", "Siobhan", "Megan", "Ffion", "Bethan", "Priya", "Aisha", "Fatima", "Agnieszka",
        "Olivia", "Amelia", "Jessica", "Sophie", "Charlotte", "Hannah", "Lucy", "Victoria", "Samantha", "Kathleen",
        "Dorothy", "Pauline", "Janet", "Beverley",
    ];

    private static readonly string[] FamilyNames =
    [
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
        "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
        "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "King",
        "Baker", "Harrison", "Morgan", "Allen", "Scott", "Phillips", "Watson", "Parker", "Price", "Bennett", "Griffiths",
        "Mitchell", "Kelly", "Carter", "Richardson", "Bailey", "Collins", "Shaw", "Murphy", "Khan", "Marshall",
        "Simpson", "Ellis", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Fletcher", "Mason",
        "Hussain", "Campbell", "Owen", "Palmer", "Holmes", "Barnes", "Knight", "Lloyd", "Fisher", "Jenkins", "Dixon",
        "O'Brien", "O'Neill", "D'Souza", "MacDonald", "Nowak", "Kowalski", "Okafor", "Adeyemi", "Mensah", "Quennell",
        "Brennan", "Whitehouse", "Salt", "Bostock", "Plant", "Critchlow", "Follows", "Mountford", "Tunnicliffe",
    ];

    // Streets of a fictional Stafford: each has its own postcode sector, flats only in the named buildings.
    private static readonly (string Street, string Town, string Outward, string? Building)[] Streets =
    [
        ("Weston Road", "Stafford", "ST16", null), ("Lichfield Road", "Stafford", "ST17", null),
        ("Eastgate Street", "Stafford", "ST16", "Castle House"), ("Tixall Road", "Stafford", "ST16", null),
        ("Corporation Street", "Stafford", "ST16", null), ("Wolverhampton Road", "Stafford", "ST17", null),
        ("Newport Road", "Stafford", "ST16", "Rowley Court"), ("Sandon Road", "Stafford", "ST16", null),
        ("Marston Road", "Stafford", "ST16", null), ("Riverway", "Stafford", "ST16", "Riverside House"),
        ("Rowley Avenue", "Stafford", "ST17", null), ("Holmcroft Road", "Stafford", "ST16", null),
        ("Peel Terrace", "Stafford", "ST16", null), ("Kingston Avenue", "Stafford", "ST16", null),
        ("Baswich Lane", "Stafford", "ST17", null), ("Oxford Gardens", "Stafford", "ST16", "Oxford Court"),
        ("Stone Road", "Stafford", "ST16", null), ("Crooked Bridge Road", "Stafford", "ST16", null),
        ("Mill Street", "Stone", "ST15", "Granville House"), ("Lichfield Street", "Stone", "ST15", null),
        ("High Street", "Eccleshall", "ST21", null), ("Station Road", "Gnosall", "ST20", null),
    ];

    // Postcode inward letters never include C, I, K, M, O or V.
    private const string InwardLetters = "ABDEFGHJLNPQRSTUWXYZ";

    // NI prefix letters HMRC issues: first not D F I Q U V; second not D F I O Q U V; some pairs never issued.
    private const string NiFirst = "ABCEGHJKLMNOPRSTWXYZ";
    private const string NiSecond = "ABCEGHJKLMNPRSTWXYZ";
    private static readonly HashSet<string> NiNeverIssued = ["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"];

    public static IReadOnlyList<Resident> Generate(Random random, int households)
    {
        ArgumentNullException.ThrowIfNull(random);
        var postcodes = Streets.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Outward} {random.Next(1, 10)}{Letter(random)}{Letter(random)}")).ToArray();
        // Ofcom's ranges for drama (07700 900xxx, 01632 960xxx): never a real subscriber's number, each used once.
        var phones = new Queue<string>(Shuffle(random, [
            .. Enumerable.Range(0, 1000).Select(n => string.Create(CultureInfo.InvariantCulture, $"07700 900{n:D3}")),
            .. Enumerable.Range(0, 1000).Select(n => string.Create(CultureInfo.InvariantCulture, $"01632 960{n:D3}")),
        ]));
        var niNumbers = new HashSet<string>(StringComparer.Ordinal);
        var homes = new HashSet<string>(StringComparer.Ordinal);
        var residents = new List<Resident>();

        for (var household = 1; household <= households; household++)
        {
            var home = NewHome(random, postcodes, homes);
            var family = Pick(random, FamilyNames);
            var firstSex = random.Next(2) == 0 ? 'M' : 'F';
            var firstBorn = BirthDate(random, 1936, 2000);
            var moved = random.NextDouble() < 0.15 ? NewHome(random, postcodes, homes) : null;
            var first = NewResident(random, residents.Count + 1, firstSex, family, null, firstBorn, home, moved, household, phones, niNumbers);
            residents.Add(first);

            if (random.NextDouble() < 0.55)
            {
                // A partner: most share the family name, some of whom were born with another.
                var sex = random.NextDouble() < 0.9 ? (firstSex == 'M' ? 'F' : 'M') : firstSex;
                var born = Clamp(firstBorn.AddDays(random.Next(-2500, 2500)), 1936, 2000);
                var married = random.NextDouble() < 0.75;
                var birthFamily = married && sex == 'F' && random.NextDouble() < 0.6 ? Pick(random, FamilyNames) : null;
                residents.Add(NewResident(random, residents.Count + 1, sex, married ? family : Pick(random, FamilyNames), birthFamily, born, home, moved, household, phones, niNumbers));
            }

            if (firstBorn.Year < 1980 && random.NextDouble() < 0.3)
            {
                // A grown-up child still at home; now and then a son named after his father.
                var sex = random.Next(2) == 0 ? 'M' : 'F';
                var born = Clamp(firstBorn.AddYears(random.Next(22, 34)).AddDays(random.Next(0, 365)), 1936, 2007);
                var child = NewResident(random, residents.Count + 1, sex, family, null, born, home, moved, household, phones, niNumbers);
                if (sex == 'M' && firstSex == 'M' && random.NextDouble() < 0.35)
                {
                    child = child with { GivenName = first.GivenName, MiddleName = null, Title = "Mr" };
                }

                residents.Add(child);
            }
        }

        return residents;
    }

    private static Resident NewResident(
        Random random, int id, char sex, string family, string? birthFamily, DateOnly born, Home home, Home? moved, int household, Queue<string> phones, HashSet<string> niNumbers)
    {
        var given = Pick(random, sex == 'M' ? MaleNames : FemaleNames);
        var middle = random.NextDouble() < 0.35 ? Pick(random, sex == 'M' ? MaleNames : FemaleNames) : null;
        if (middle == given)
        {
            middle = null;
        }

        var title = sex == 'M' ? (random.NextDouble() < 0.03 ? "Dr" : "Mr") : birthFamily is not null ? "Mrs" : Pick(random, ["Mrs", "Ms", "Miss"]);
        var phone = phones.Dequeue();
        var email = random.NextDouble() < 0.4
            ? $"{Fold(given)}.{Fold(family)}{random.Next(1, 99).ToString(CultureInfo.InvariantCulture)}@{Pick(random, ["example.com", "example.org", "example.net"])}"
            : null;
        // A mover's old address is the one the earlier home was; the new one is where they are now.
        return new Resident(id, sex, title, given, middle, family, birthFamily, born, NiNumber(random, niNumbers), phone, email,
            moved ?? home, moved is null ? null : home, household);
    }

    private static Home NewHome(Random random, string[] postcodes, HashSet<string> taken)
    {
        while (true)
        {
            var street = random.Next(Streets.Length);
            var (name, town, _, building) = Streets[street];
            var home = building is not null && random.NextDouble() < 0.6
                ? new Home(random.Next(1, 25).ToString(CultureInfo.InvariantCulture), building, null, name, town, postcodes[street], "")
                : new Home(null, null, random.Next(1, 160).ToString(CultureInfo.InvariantCulture), name, town, postcodes[street], "");
            if (taken.Add(home.Line1 + home.Postcode))
            {
                return home with { Uprn = (100031000000L + random.Next(0, 999999)).ToString(CultureInfo.InvariantCulture) };
            }
        }
    }

    private static string NiNumber(Random random, HashSet<string> taken)
    {
        while (true)
        {
            var prefix = $"{NiFirst[random.Next(NiFirst.Length)]}{NiSecond[random.Next(NiSecond.Length)]}";
            var number = $"{prefix}{random.Next(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture)}{"ABCD"[random.Next(4)]}";
            if (!NiNeverIssued.Contains(prefix) && taken.Add(number))
            {
                return number;
            }
        }
    }

    private static DateOnly BirthDate(Random random, int fromYear, int toYear) =>
        new DateOnly(fromYear, 1, 1).AddDays(random.Next(0, (new DateOnly(toYear, 12, 31).DayNumber - new DateOnly(fromYear, 1, 1).DayNumber) + 1));

    private static DateOnly Clamp(DateOnly date, int fromYear, int toYear) =>
        date.Year < fromYear ? new DateOnly(fromYear, date.Month, 1) : date.Year > toYear ? new DateOnly(toYear, date.Month, 1) : date;

    private static char Letter(Random random) => InwardLetters[random.Next(InwardLetters.Length)];

    internal static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static T[] Shuffle<T>(Random random, T[] items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }

        return items;
    }

    /// <summary>Letters only, lower case, accents off: how an e-mail address spells a name.</summary>
    private static string Fold(string name) =>
        new([.. name.Normalize(System.Text.NormalizationForm.FormD).Where(char.IsAsciiLetter).Select(char.ToLowerInvariant)]);
}
