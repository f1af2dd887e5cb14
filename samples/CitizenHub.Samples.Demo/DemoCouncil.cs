using System.Globalization;
using System.Text;
using CitizenHub.Samples.LegacyHousing;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Samples.Demo;

/// <summary>
/// The demo's council: one seeded population, and what each of its four systems of 2003–2013 holds of it, in that
/// system's own shape and with its own mistakes (see docs/demo.md).
/// </summary>
/// <remarks>
/// Generated at each demo start rather than committed as files: the data is a function of the seed and this code
/// alone, so there is no second copy to drift from the generator, and the demo's workspace holds the files exactly as
/// the systems would hand them over for anyone who wants to open them.
/// </remarks>
public sealed class DemoCouncil
{
    /// <summary>The seed the demo uses: the year the oldest of these systems went live.</summary>
    public const int DefaultSeed = 2003;

    /// <summary>About 300 residents: enough for every kind of legacy mess to show, small enough to sync in seconds.</summary>
    public const int DefaultHouseholds = 180;

    public const string CouncilTaxFile = "council-tax/ctax_liable_parties.csv";
    public const string BenefitsFile = "benefits/HBEXTR01.DAT";
    public const string ElectoralRegisterFile = "electoral-register/ERMS.db";

    private static readonly string[] Vulnerabilities = ["MOBILITY", "MENTAL HEALTH", "HEARING IMPAIRED", "LEARNING DISABILITY", "SIGHT IMPAIRED"];

    private static readonly Dictionary<string, string[]> Nicknames = new(StringComparer.Ordinal)
    {
        ["Robert"] = ["Bob", "Rob"], ["William"] = ["Bill", "Will"], ["Margaret"] = ["Peggy", "Maggie"], ["Elizabeth"] = ["Liz", "Beth"],
        ["Michael"] = ["Mike", "Mick"], ["Anthony"] = ["Tony"], ["Thomas"] = ["Tom"], ["Daniel"] = ["Dan"], ["Matthew"] = ["Matt"],
        ["Andrew"] = ["Andy"], ["Stephen"] = ["Steve"], ["Samuel"] = ["Sam"], ["Joseph"] = ["Joe"], ["Edward"] = ["Ted", "Eddie"],
        ["Kenneth"] = ["Ken"], ["Susan"] = ["Sue"], ["Patricia"] = ["Pat", "Trish"], ["Jennifer"] = ["Jenny"], ["Rebecca"] = ["Becky"],
        ["Deborah"] = ["Debbie"], ["Samantha"] = ["Sam"], ["Victoria"] = ["Vicky"], ["Dorothy"] = ["Dot"], ["Kathleen"] = ["Kath"],
        ["James"] = ["Jim"], ["David"] = ["Dave"], ["Peter"] = ["Pete"], ["Jessica"] = ["Jess"], ["Richard"] = ["Rick", "Dick"],
    };

    private DemoCouncil(IReadOnlyList<Resident> residents, IReadOnlyList<string[]> councilTax, IReadOnlyList<string> benefits, IReadOnlyList<Tenancy> tenancies, IReadOnlyList<Elector> electors)
    {
        Residents = residents;
        CouncilTaxRows = councilTax;
        BenefitsLines = benefits;
        Tenancies = tenancies;
        Electors = electors;
    }

    public IReadOnlyList<Resident> Residents { get; }

    /// <summary>The council tax system's liable parties, one CSV row each (header first).</summary>
    public IReadOnlyList<string[]> CouncilTaxRows { get; }

    /// <summary>The benefits mainframe's extract, one fixed-width line each (the header line first).</summary>
    public IReadOnlyList<string> BenefitsLines { get; }

    /// <summary>The housing system's tenancies, which its SOAP service serves.</summary>
    public IReadOnlyList<Tenancy> Tenancies { get; }

    /// <summary>The electoral register's electors.</summary>
    public IReadOnlyList<Elector> Electors { get; }

    /// <summary>The demo's configuration of the four sources (the housing endpoint and password are set when it starts).</summary>
    public static string Configuration()
    {
        using var stream = typeof(DemoCouncil).Assembly.GetManifestResourceStream("CitizenHub.Samples.Demo.citizenhub.json")
            ?? throw new InvalidOperationException("The demo's configuration is not embedded in its assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static DemoCouncil Generate(int seed = DefaultSeed, int households = DefaultHouseholds)
    {
        var random = new Random(seed);
        var residents = Population.Generate(random, households);
        var tenants = new HashSet<int>(residents.Select(r => r.Household).Distinct().Where(_ => random.NextDouble() < 0.32));
        return new DemoCouncil(
            residents,
            CouncilTax(random, residents),
            Benefits(random, residents, tenants),
            Housing(random, residents, tenants),
            Register(random, residents));
    }

    /// <summary>Writes the council tax drop (Windows-1252, CRLF, every field quoted, as the system's Windows export does).</summary>
    public void WriteCouncilTax(string path)
    {
        var text = new StringBuilder();
        foreach (var row in CouncilTaxRows)
        {
            text.Append(string.Join(',', row.Select(f => $"\"{f.Replace("\"", "\"\"", StringComparison.Ordinal)}\""))).Append("\r\n");
        }

        Write(path, CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(text.ToString()));
    }

    /// <summary>Writes the benefits mainframe's extract (ASCII upper case, as converted from EBCDIC; LF line ends).</summary>
    public void WriteBenefits(string path) => Write(path, Encoding.ASCII.GetBytes(string.Concat(BenefitsLines.Select(l => l + "\n"))));

    /// <summary>Creates the electoral register's database (SQLite) and fills it, every value a parameter.</summary>
    public void CreateElectoralRegister(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE ELECTOR (
                  ELECTOR_NO    TEXT NOT NULL PRIMARY KEY, -- polling district and number: SA-0042
                  TITLE         TEXT,
                  FORENAMES     TEXT NOT NULL,
                  SURNAME       TEXT NOT NULL,
                  ADDRESS_1     TEXT NOT NULL,
                  ADDRESS_2     TEXT,
                  ADDRESS_3     TEXT,
                  POSTCODE      TEXT,
                  UPRN          TEXT,
                  OPEN_REGISTER TEXT NOT NULL,             -- Y: on the edited register sold to anyone who asks
                  LAST_UPDATED  TEXT NOT NULL              -- ISO 8601, set by every change
                )
                """;
            create.ExecuteNonQuery();
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO ELECTOR (ELECTOR_NO, TITLE, FORENAMES, SURNAME, ADDRESS_1, ADDRESS_2, ADDRESS_3, POSTCODE, UPRN, OPEN_REGISTER, LAST_UPDATED)
            VALUES ($no, $title, $forenames, $surname, $a1, $a2, $a3, $postcode, $uprn, $open, $updated)
            """;
        string[] names = ["$no", "$title", "$forenames", "$surname", "$a1", "$a2", "$a3", "$postcode", "$uprn", "$open", "$updated"];
        var parameters = names.Select(n => insert.Parameters.Add(n, SqliteType.Text)).ToArray();
        foreach (var e in Electors)
        {
            object?[] values = [e.ElectorNo, e.Title, e.Forenames, e.Surname, e.Address1, e.Address2, e.Address3, e.Postcode, e.Uprn, e.OpenRegister, e.LastUpdated];
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }

            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static List<string[]> CouncilTax(Random random, IReadOnlyList<Resident> residents)
    {
        List<string[]> rows = [["Account Ref", "Liable Party", "Date of Birth", "Property Address 1", "Property Address 2", "Property Address 3", "Postcode", "Band", "Payment Method", "Telephone", "Email"]];
        foreach (var household in residents.GroupBy(r => r.Household))
        {
            var account = (6_000_000 + (household.Key * 37)).ToString(CultureInfo.InvariantCulture);
            var band = Population.Pick(random, ["A", "A", "B", "B", "B", "C", "C", "D", "E", "F"]);
            var payment = Population.Pick(random, ["Direct Debit", "Direct Debit", "Direct Debit", "Cash", "Standing Order"]);
            var party = 0;
            foreach (var r in household.Take(2))
            {
                // The first adult is always liable; a partner is jointly liable more often than not.
                if (party > 0 && random.NextDouble() < 0.3)
                {
                    continue;
                }

                party++;
                var given = random.NextDouble() < 0.15 && Nicknames.TryGetValue(r.GivenName, out var pets) ? Population.Pick(random, pets) : r.GivenName;
                var middle = r.MiddleName is null ? "" : random.NextDouble() < 0.5 ? $" {r.MiddleName[0]}" : $" {r.MiddleName}";
                var family = random.NextDouble() < 0.04 ? Typo(random, r.FamilyName) : r.FamilyName;
                if (family.Contains('\'', StringComparison.Ordinal) && random.NextDouble() < 0.5)
                {
                    // Typed into a Word template first: the apostrophe came back curly (0x92 in Windows-1252).
                    family = family.Replace('\'', '\u2019');
                }

                var home = r.Home;
                rows.Add([
                    $"{account}/{party.ToString(CultureInfo.InvariantCulture)}",
                    $"{family.ToUpperInvariant()}, {given}{middle} {r.Title}",
                    random.NextDouble() < 0.45 ? r.DateOfBirth.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) : "",
                    home.Line1,
                    home.Line2 ?? "",
                    home.Town,
                    random.NextDouble() < 0.1 ? home.Postcode.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant() : home.Postcode,
                    band,
                    payment,
                    random.NextDouble() < 0.6 ? r.Phone : "",
                    r.Email is not null && random.NextDouble() < 0.7 ? r.Email : "",
                ]);
            }
        }

        return rows;
    }

    private static List<string> Benefits(Random random, IReadOnlyList<Resident> residents, HashSet<int> tenants)
    {
        List<string> lines = [string.Create(CultureInfo.InvariantCulture, $"HDR HBEXTR01 {Population.ExtractDate:yyyyMMdd} STAFFORD BC REVS AND BENS")];
        var claim = 10_400;
        foreach (var r in residents)
        {
            var lead = residents.First(o => o.Household == r.Household) == r;
            var odds = lead ? (tenants.Contains(r.Household) ? 0.65 : 0.12) : 0.04;
            if (random.NextDouble() >= odds)
            {
                continue;
            }

            claim += random.Next(1, 40);
            // A claim opened before a move or a marriage still carries the old address or the old name.
            var home = r.PreviousHome is not null && random.NextDouble() < 0.5 ? r.PreviousHome : r.Home;
            var family = r.BirthFamilyName is not null && random.NextDouble() < 0.4 ? r.BirthFamilyName : r.FamilyName;
            family = random.NextDouble() < 0.04 ? Typo(random, family) : family;
            var dob = r.DateOfBirth;
            var dobText = random.NextDouble() < 0.03 && dob.Day <= 12
                ? new DateOnly(dob.Year, dob.Day, dob.Month).ToString("yyyyMMdd", CultureInfo.InvariantCulture) // keyed day for month
                : random.NextDouble() < 0.02 ? "00000000" // the mainframe's "not known"
                : dob.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var award = (random.Next(2_000, 25_000) / 100m).ToString("0.00", CultureInfo.InvariantCulture);
            var line1 = home.Flat is not null ? $"FLAT {home.Flat} {home.Building}" : home.Line1;
            var line2 = home.Flat is not null ? $"{home.Number} {home.Street}".Trim() : home.Town;
            lines.Add(string.Concat(
                Field($"HB{claim.ToString("D7", CultureInfo.InvariantCulture)}", 9),
                Field(random.NextDouble() < 0.97 ? r.NiNumber : "", 9),
                Field(Shout(family), 20),
                Field(Shout(r.MiddleName is null ? r.GivenName : $"{r.GivenName} {r.MiddleName}"), 25),
                Field(Shout(r.Title), 4),
                Field(dobText, 8),
                Field(Shout(line1), 30),
                Field(Shout(line2), 30),
                Field(random.NextDouble() < 0.2 ? home.Postcode.Replace(" ", "", StringComparison.Ordinal) : home.Postcode, 8),
                Field(tenants.Contains(r.Household) ? "HB" : "CTR", 3),
                award.PadLeft(8),
                random.NextDouble() < 0.02 ? "X" : "L"));
        }

        return lines;
    }

    private static List<Tenancy> Housing(Random random, IReadOnlyList<Resident> residents, HashSet<int> tenants)
    {
        var tenancies = new List<Tenancy>();
        var changed = new DateTimeOffset(2026, 11, 2, 7, 0, 0, TimeSpan.Zero);
        foreach (var r in residents.GroupBy(r => r.Household).Where(h => tenants.Contains(h.Key)).Select(h => h.First()))
        {
            changed = changed.AddMinutes(random.Next(5, 600));
            var home = r.Home;
            tenancies.Add(new Tenancy
            {
                TenancyRef = $"HSG/{(r.Household * 13).ToString("D5", CultureInfo.InvariantCulture)}/01",
                Title = Shout(r.Title),
                Surname = Shout(random.NextDouble() < 0.04 ? Typo(random, r.FamilyName) : r.FamilyName),
                Forenames = r.GivenName,
                DateOfBirth = random.NextDouble() < 0.9 ? Shout(r.DateOfBirth.ToString("dd-MMM-yyyy", CultureInfo.InvariantCulture)) : "",
                NiNumber = random.NextDouble() < 0.6 ? r.NiNumber : "",
                AddressLine1 = Shout(home.Line1),
                AddressLine2 = Shout(home.Line2 ?? ""),
                Town = Shout(home.Town),
                Postcode = home.Postcode,
                Phone = random.NextDouble() < 0.5 ? r.Phone : "",
                TenancyStart = Shout(Population.ExtractDate.AddDays(-random.Next(200, 11_000)).ToString("dd-MMM-yyyy", CultureInfo.InvariantCulture)),
                Vulnerability = random.NextDouble() < 0.18 ? Population.Pick(random, Vulnerabilities) : "",
                UpdatedAt = changed,
            });
        }

        return tenancies;
    }

    private static List<Elector> Register(Random random, IReadOnlyList<Resident> residents)
    {
        var electors = new List<Elector>();
        var updated = new DateTime(2026, 10, 1, 9, 0, 0, DateTimeKind.Utc);
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in residents)
        {
            if (random.NextDouble() >= 0.88)
            {
                continue;
            }

            // The annual canvass has not yet caught up with some movers.
            var home = r.PreviousHome is not null && random.NextDouble() < 0.35 ? r.PreviousHome : r.Home;
            var flat = home.Flat;
            if (flat is not null && r.MiddleName is null && random.NextDouble() < 0.25)
            {
                // A canvasser's slip of the pen: another flat in the same building.
                flat = (int.Parse(flat, CultureInfo.InvariantCulture) + 10).ToString(CultureInfo.InvariantCulture);
            }

            var district = $"S{(char)('A' + (Math.Abs(StableHash(home.Street)) % 8))}";
            numbers[district] = numbers.GetValueOrDefault(district) + 1;
            updated = updated.AddMinutes(random.Next(1, 90));
            electors.Add(new Elector(
                $"{district}-{numbers[district].ToString("D4", CultureInfo.InvariantCulture)}",
                r.Title,
                r.MiddleName is null ? r.GivenName : $"{r.GivenName} {r.MiddleName}",
                r.FamilyName,
                flat is not null ? $"Flat {flat}, {home.Building}" : home.Line1,
                flat is not null ? home.Line2 : null,
                home.Town,
                home.Postcode,
                // The register was matched to the gazetteer in 2011; the slipped flats kept their wrong one out.
                flat == home.Flat ? home.Uprn : null,
                random.NextDouble() < 0.4 ? "N" : "Y",
                updated.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
        }

        return electors;
    }

    /// <summary>One slip of the keyboard: two letters swapped, one dropped or one doubled (never the first letter).</summary>
    private static string Typo(Random random, string name)
    {
        if (name.Length < 5)
        {
            return name;
        }

        var at = random.Next(1, name.Length - 2);
        return random.Next(3) switch
        {
            0 => string.Concat(name.AsSpan(0, at), name.AsSpan(at + 1, 1), name.AsSpan(at, 1), name.AsSpan(at + 2)),
            1 => name.Remove(at, 1),
            _ => name.Insert(at, name[at].ToString()),
        };
    }

    /// <summary>Upper case without accents, as a system whose character set had none wrote names.</summary>
    private static string Shout(string text) =>
        new string([.. text.Normalize(NormalizationForm.FormD).Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)])
            .ToUpperInvariant();

    private static string Field(string value, int width) => value.Length >= width ? value[..width] : value.PadRight(width);

    // string.GetHashCode differs between runs; the polling district must not.
    private static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked((h * 31) + c));

    private static void Write(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, bytes);
    }
}

/// <summary>One row of the electoral register's <c>ELECTOR</c> table.</summary>
public sealed record Elector(
    string ElectorNo, string Title, string Forenames, string Surname, string Address1, string? Address2, string Address3, string Postcode, string? Uprn, string OpenRegister, string LastUpdated);
