using System.Globalization;
using Bogus;
using CitizenHub.Contracts;

namespace CitizenHub.Bench;

public sealed partial record LabelledPopulation
{
    /// <summary>
    /// People in households at addresses, their records in four council systems with errors put in at the configured rates,
    /// and the truth. Every choice comes from one <see cref="Randomizer"/> seeded with <see cref="PopulationOptions.Seed"/>,
    /// so the same options give the same population.
    /// </summary>
    public static LabelledPopulation Generate(PopulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new Generator(options).Run();
    }

    private sealed partial class Generator(PopulationOptions options)
    {
        private readonly Faker _faker = new("en_GB") { Random = new Randomizer(options.Seed) };

        // Bogus's en_GB locale has one first-name list for both sexes; its en lists are split by sex. Same Randomizer, same seed.
        private Bogus.DataSets.Name? _firstNamesBySex;

        private Bogus.DataSets.Name FirstNames => _firstNamesBySex ??= new Bogus.DataSets.Name("en") { Random = _faker.Random };
        private readonly List<Person> _persons = [];
        private readonly List<Property> _properties = [];
        private readonly Dictionary<string, List<Street>> _streetsByTown = new(StringComparer.Ordinal);
        private readonly HashSet<string> _postcodes = new(StringComparer.Ordinal);
        private readonly HashSet<string> _streetNames = new(StringComparer.Ordinal);
        private readonly HashSet<string> _niNumbers = new(StringComparer.Ordinal);
        private readonly HashSet<string> _nhsNumbers = new(StringComparer.Ordinal);
        private readonly List<PersonPair> _twins = [];
        private readonly List<PersonPair> _fatherSon = [];
        private readonly List<PersonPair> _spouses = [];
        private readonly HashSet<string> _liable = new(StringComparer.Ordinal);
        private readonly long _uprnBase = 10_000_000_000L;
        private int _households;

        private Randomizer Random => _faker.Random;

        private HardCaseRates Hard => options.HardCases;

        private ErrorRates Rates => options.Errors;

        public LabelledPopulation Run()
        {
            while (_persons.Count < options.Persons)
            {
                AddHousehold(options.Persons - _persons.Count);
            }

            var records = new List<GeneratedRecord>();
            var drafts = SourceLayout.All.ToDictionary(s => s.Name, _ => new List<(Person Person, Draft Draft)>(), StringComparer.Ordinal);
            foreach (var person in _persons)
            {
                foreach (var source in SourcesFor(person))
                {
                    drafts[source.Name].Add((person, Draft(person, source)));
                }
            }

            var observedAt = new DateTimeOffset(options.ReferenceDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            foreach (var source in SourceLayout.All)
            {
                // Keys are handed out in shuffled order, so nothing about a person can be read from a key's place.
                var shuffled = Random.Shuffle(drafts[source.Name]).ToList();
                var firstKey = Random.Int(1, 90_000);
                for (var i = 0; i < shuffled.Count; i++)
                {
                    var (person, draft) = shuffled[i];
                    records.Add(Build(source, Key(source, firstKey + i), person, draft, observedAt));
                    _drafts.Add(draft);
                }

                _nextKey[source.Name] = firstKey + shuffled.Count;
            }

            _records = records;
            return Snapshot(records);
        }

        /// <summary>The population as it stands; its lists are copies, so a later delta leaves it as it was.</summary>
        private LabelledPopulation Snapshot(List<GeneratedRecord> records) => new(
            options,
            [.. _persons],
            records,
            new LinkageTruth(records.ToDictionary(r => r.Ref, r => r.PersonId), [.. _twins], [.. _fatherSon], [.. _spouses]));

        // What a nightly delta needs of the first generation: each record's draft (parallel to the records), and each
        // source's next key.
        private readonly List<Draft> _drafts = [];
        private readonly Dictionary<string, int> _nextKey = new(StringComparer.Ordinal);
        private List<GeneratedRecord> _records = [];

        private static string Key(SourceLayout source, int n) => source.Name switch
        {
            "council-tax" => string.Create(CultureInfo.InvariantCulture, $"CT{n + 1_000_000:0000000}"),
            "housing-benefits" => string.Create(CultureInfo.InvariantCulture, $"HB-{n:000000}"),
            "electoral-register" => string.Create(CultureInfo.InvariantCulture, $"{(char)('A' + (n % 7))}{(char)('A' + (n / 7 % 5))}-{n:000000}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"SC{n + 100_000:000000}"),
        };

        // ---- households -------------------------------------------------------------------------------

        /// <param name="remaining">How many more people the household may hold.</param>
        private void AddHousehold(int remaining)
        {
            var household = string.Create(CultureInfo.InvariantCulture, $"H{++_households:000000}");
            var home = NewProperty();
            var couple = remaining >= 2 && Random.Bool((float)Hard.Couple);
            var withChildren = remaining >= (couple ? 3 : 2) && Random.Bool((float)Hard.AdultChildren);
            var familyName = FamilyName();

            if (!couple)
            {
                var sex = withChildren ? Sex.Female : RandomSex();
                var age = withChildren ? Random.Int(40, 80) : AdultAge();
                var head = AddPerson(household, home, sex, BirthDate(age), familyName, maidenName: null, married: false);
                _liable.Add(head.Id);
                if (withChildren)
                {
                    AddChildren(household, home, familyName, mother: head, father: null, remaining - 1);
                }

                return;
            }

            var husbandAge = withChildren ? Random.Int(42, 82) : Random.Int(21, 92);
            var wifeAge = Math.Clamp(husbandAge - Random.Int(-3, 8), 18, 95);
            var shared = Random.Bool((float)Hard.SharedFamilyName);
            var husband = AddPerson(household, home, Sex.Male, BirthDate(husbandAge), familyName, maidenName: null, married: true);
            var wife = shared
                ? AddPerson(household, home, Sex.Female, BirthDate(wifeAge), familyName, maidenName: FamilyName(), married: true, avoidGiven: husband.GivenName)
                : AddPerson(household, home, Sex.Female, BirthDate(wifeAge), FamilyName(), maidenName: null, married: false, avoidGiven: husband.GivenName);
            _spouses.Add(new PersonPair(husband.Id, wife.Id));
            _liable.Add(husband.Id);
            _liable.Add(wife.Id);
            if (withChildren)
            {
                AddChildren(household, home, familyName, mother: wife, father: husband, remaining - 2);
            }
        }

        private void AddChildren(string household, Property home, string familyName, Person mother, Person? father, int room)
        {
            // Grown-up children still at home: born when both parents were 20 to 42, and 18 or over now.
            var earliest = new[] { mother.DateOfBirth.AddYears(20), father?.DateOfBirth.AddYears(20) ?? DateOnly.MinValue }.Max();
            var latest = new[] { mother.DateOfBirth.AddYears(42), options.ReferenceDate.AddYears(-18) }.Min();
            if (earliest > latest || room < 1)
            {
                return;
            }

            var count = Math.Min(room, Random.Int(1, 3));
            var twins = count >= 2 && Random.Bool((float)Hard.Twins);
            var taken = new List<string> { mother.GivenName };
            if (father is not null)
            {
                taken.Add(father.GivenName);
            }

            var namesake = father is not null && Random.Bool((float)Hard.NamesakeSon);
            Person? previous = null;
            for (var i = 0; i < count; i++)
            {
                var dob = twins && i == 1 ? previous!.DateOfBirth : RandomDate(earliest, latest);
                var sex = RandomSex();
                string? given = null;
                if (namesake && sex == Sex.Male && !(twins && i < 2))
                {
                    given = father!.GivenName;
                    namesake = false;
                }

                var child = AddPerson(household, home, sex, dob, familyName, maidenName: null, married: false,
                    avoidGiven: null, taken: taken, givenName: given, twinOf: twins && i == 1 ? previous : null);
                taken.Add(child.GivenName);
                if (given is not null)
                {
                    // Sr and Jr: what the family says, and what a source writes only sometimes.
                    var index = _persons.FindIndex(p => p.Id == father!.Id);
                    _persons[index] = _persons[index] with { Suffix = "Sr" };
                    _persons[^1] = child with { Suffix = "Jr" };
                    _fatherSon.Add(new PersonPair(father!.Id, child.Id));
                }

                if (twins && i == 1)
                {
                    _twins.Add(new PersonPair(previous!.Id, child.Id));
                }

                previous = child;
            }
        }

        private Person AddPerson(
            string household, Property home, Sex sex, DateOnly dob, string familyName, string? maidenName, bool married,
            string? avoidGiven = null, List<string>? taken = null, string? givenName = null, Person? twinOf = null)
        {
            var given = givenName;
            while (given is null)
            {
                given = GivenName(sex);
                if (string.Equals(given, avoidGiven, StringComparison.Ordinal)
                    || (taken is not null && taken.Contains(given, StringComparer.Ordinal))
                    || (twinOf is not null && (given[0] == twinOf.GivenName[0] || AreNicknames(given, twinOf.GivenName))))
                {
                    // Twins get clearly different names: not the same initial, not one another's nickname.
                    given = null;
                }
            }

            var middle = Random.Double() switch
            {
                < 0.40 => GivenName(sex),
                < 0.45 => $"{GivenName(sex)} {GivenName(sex)}",
                _ => null,
            };
            var title = sex == Sex.Male
                ? (Random.Bool(0.03f) ? "Dr" : "Mr")
                : Random.Bool(0.03f) ? "Dr" : married ? "Mrs" : Random.Bool(0.5f) ? "Ms" : "Miss";
            var id = string.Create(CultureInfo.InvariantCulture, $"P{_persons.Count + 1:000000}");
            var person = new Person(
                id, household, title, given, middle, familyName, maidenName, Suffix: null, sex, dob,
                Unique(_niNumbers, () => UkIdentifiers.NewNiNumber(Random)),
                Unique(_nhsNumbers, () => UkIdentifiers.NewNhsNumber(Random)),
                Random.Bool(0.45f) ? Email(given, familyName) : null,
                Random.Bool(0.65f) ? NextPhone() : null,
                home,
                PreviousAddress(home));
            _persons.Add(person);
            return person;
        }

        private static bool AreNicknames(string a, string b) =>
            (Vocabulary.Nicknames.TryGetValue(a, out var ofA) && ofA.Contains(b, StringComparer.Ordinal))
            || (Vocabulary.Nicknames.TryGetValue(b, out var ofB) && ofB.Contains(a, StringComparer.Ordinal));

        private static string Unique(HashSet<string> used, Func<string> make)
        {
            while (true)
            {
                var value = make();
                if (used.Add(value))
                {
                    return value;
                }
            }
        }

        private string GivenName(Sex sex)
        {
            // A third from the common British names (which have nicknames), the rest from Bogus's lists.
            if (Random.Bool(0.35f))
            {
                return Random.ArrayElement(sex == Sex.Male ? Vocabulary.CommonMale : Vocabulary.CommonFemale);
            }

            return Clean(FirstNames.FirstName(sex == Sex.Male ? Bogus.DataSets.Name.Gender.Male : Bogus.DataSets.Name.Gender.Female));
        }

        private string FamilyName() => Random.Bool((float)Hard.CommonName)
            ? Random.ArrayElement(Vocabulary.CommonFamily)
            : Clean(_faker.Name.LastName());

        /// <summary>Letters, apostrophes and hyphens only (Bogus's lists are clean, but a CSV row must never depend on it).</summary>
        private static string Clean(string name) => new([.. name.Where(c => char.IsLetter(c) || c is '\'' or '-')]);

        private Sex RandomSex() => Random.Bool() ? Sex.Male : Sex.Female;

        private int AdultAge() => Random.Double() switch
        {
            < 0.30 => Random.Int(18, 34),
            < 0.65 => Random.Int(35, 54),
            < 0.88 => Random.Int(55, 74),
            _ => Random.Int(75, 99),
        };

        private DateOnly BirthDate(int age)
        {
            var latest = options.ReferenceDate.AddYears(-age);
            return RandomDate(latest.AddYears(-1).AddDays(1), latest);
        }

        private DateOnly RandomDate(DateOnly from, DateOnly to) => from.AddDays(Random.Int(0, to.DayNumber - from.DayNumber));

        private string Email(string given, string family)
        {
            var local = $"{Ascii(given)}.{Ascii(family)}";
            return string.Create(CultureInfo.InvariantCulture, $"{local}{Random.Int(1, 99)}@{Random.ArrayElement(new[] { "example.com", "example.org", "example.net" })}");
        }

        private static string Ascii(string s) => new([.. s.ToLowerInvariant().Where(char.IsAsciiLetterLower)]);

        /// <summary>
        /// Ofcom's drama ranges (numbers never allocated to anyone), each handed to one person only: unrelated people
        /// sharing a number is not an error real records have, and it would make a phone look like weak evidence.
        /// When the ranges run out (about 19,000 numbers), people have no phone.
        /// </summary>
        private string? NextPhone()
        {
            if (_phonesIssued >= DramaRanges.Length * 1000)
            {
                return null;
            }

            var range = DramaRanges[_phonesIssued % DramaRanges.Length];
            var number = _phonesIssued / DramaRanges.Length;
            _phonesIssued++;
            return string.Create(CultureInfo.InvariantCulture, $"{range}{number:000}");
        }

        private int _phonesIssued;

        private static readonly string[] DramaRanges =
        [
            "07700 900", "01632 960", "0113 496 0", "0114 496 0", "0115 496 0", "0116 496 0", "0117 496 0", "0118 496 0",
            "0121 496 0", "0131 496 0", "0141 496 0", "0151 496 0", "0161 496 0", "020 7946 0", "029 2018 0", "0191 498 0",
        ];

        // ---- addresses --------------------------------------------------------------------------------

        private sealed class Street(string name, string town, string postcode)
        {
            public string Name { get; } = name;
            public string Town { get; } = town;
            public string Postcode { get; } = postcode;
            public int NextNumber { get; set; } = 1;
            public (string Name, int Number, int Flats)? Building { get; set; }
        }

        private Property NewProperty()
        {
            var (town, outward) = Random.ArrayElement(Vocabulary.Towns);
            if (!_streetsByTown.TryGetValue(town, out var streets))
            {
                streets = [];
                _streetsByTown[town] = streets;
            }

            // A postcode unit covers a dozen or so homes; then the street goes on under a new one, or a new street starts.
            var street = streets.Count > 0 && Random.Bool(0.9f) ? streets[^1] : null;
            if (street is null || street.NextNumber > 24)
            {
                street = new Street(NewStreetName(town), town, NewPostcode(outward));
                streets.Add(street);
            }

            var uprn = (_uprnBase + (_properties.Count * 13L) + Random.Int(0, 12)).ToString(CultureInfo.InvariantCulture);
            Property property;
            if (street.Building is { } building && building.Flats < 12)
            {
                street.Building = building with { Flats = building.Flats + 1 };
                var flat = Random.Bool(0.5f)
                    ? string.Create(CultureInfo.InvariantCulture, $"Flat {building.Flats + 1}")
                    : string.Create(CultureInfo.InvariantCulture, $"Flat {(building.Flats / 4) + 1}{(char)('A' + (building.Flats % 4))}");
                property = new Property(uprn, flat, building.Name, building.Number, street.Name, town, street.Postcode);
            }
            else if (Random.Bool(0.04f))
            {
                // A block of flats: the next dozen or so homes on the street are in it.
                var name = $"{Random.ArrayElement(Vocabulary.BuildingWords)} {Random.ArrayElement(Vocabulary.BuildingKinds)}";
                street.Building = (name, street.NextNumber, 1);
                property = new Property(uprn, "Flat 1", name, street.NextNumber, street.Name, town, street.Postcode);
                street.NextNumber += 2;
            }
            else
            {
                street.Building = null;
                property = new Property(uprn, null, null, street.NextNumber, street.Name, town, street.Postcode);
                street.NextNumber += Random.Int(1, 2);
            }

            _properties.Add(property);
            return property;
        }

        private string NewStreetName(string town)
        {
            for (var attempt = 0; ; attempt++)
            {
                var name = Random.Bool(0.15f)
                    ? Random.ArrayElement(Vocabulary.ClassicStreets)
                    : $"{Clean(_faker.Name.LastName())} {Random.ArrayElement(Vocabulary.StreetKinds)}";
                if (attempt >= 20)
                {
                    // A large population uses up a town's plain names (surnames × street kinds): towns then have
                    // their Upper, Old and North streets too, as real ones do.
                    name = $"{Random.ArrayElement(StreetQualifiers)} {name}";
                }

                if (_streetNames.Add($"{town}|{name}"))
                {
                    return name;
                }
            }
        }

        private static readonly string[] StreetQualifiers =
            ["Upper", "Lower", "Old", "New", "North", "South", "East", "West", "Little", "Great", "High", "Far", "Near", "Middle"];

        private string NewPostcode(string[] outward)
        {
            var letters = Vocabulary.InwardLetters.ToCharArray();
            for (var attempt = 0; ; attempt++)
            {
                var code = $"{Random.ArrayElement(outward)} {Random.Int(0, 9)}{Random.ArrayElement(letters)}{Random.ArrayElement(letters)}";
                // A town's outward codes hold 4,000 inward codes each; a very large population fills them, and then
                // a postcode unit spans two streets, as some real ones do.
                if (_postcodes.Add(code) || attempt >= 50)
                {
                    return code;
                }
            }
        }

        /// <summary>Where the person lived before: usually another home in the population, where someone else may live now.</summary>
        private Property PreviousAddress(Property home)
        {
            if (_properties.Count > 1 && Random.Bool(0.8f))
            {
                var candidate = _properties[Random.Int(0, _properties.Count - 1)];
                if (candidate != home)
                {
                    return candidate;
                }
            }

            // A home that is now empty (or outside the area): a property no one generated lives in.
            var property = NewProperty();
            return property;
        }

        // ---- sources and errors -----------------------------------------------------------------------

        private List<SourceLayout> SourcesFor(Person person)
        {
            var age = Age(person.DateOfBirth);
            // The liable adults: the first person of each household and their spouse; grown-up children seldom are.
            var liable = _liable.Contains(person.Id);
            var chosen = new List<SourceLayout>();
            foreach (var source in SourceLayout.All)
            {
                var chance = source.Name switch
                {
                    "council-tax" => liable ? 0.85 : 0.05,
                    "housing-benefits" => 0.18,
                    "electoral-register" => 0.85,
                    _ => age >= 70 ? 0.35 : 0.1,
                };
                if (Random.Double() < chance)
                {
                    chosen.Add(source);
                }
            }

            if (chosen.Count == 0)
            {
                chosen.Add(Random.ArrayElement(SourceLayout.All.ToArray()));
            }

            return chosen;
        }

        private int Age(DateOnly dob)
        {
            var age = options.ReferenceDate.Year - dob.Year;
            return dob.AddYears(age) > options.ReferenceDate ? age - 1 : age;
        }

        private Draft Draft(Person person, SourceLayout source)
        {
            var errors = InjectedErrors.None;
            var given = person.GivenName;
            var family = person.FamilyName;
            var title = person.Title;

            if (source.Stale && person.MaidenName is not null && Random.Double() < Rates.MaidenName)
            {
                family = person.MaidenName;
                title = "Miss";
                errors |= InjectedErrors.MaidenName;
            }

            if (Vocabulary.Nicknames.TryGetValue(given, out var nicknames) && Random.Double() < Rates.Nickname)
            {
                given = Random.ArrayElement(nicknames);
                errors |= InjectedErrors.Nickname;
            }

            if (Random.Double() < Rates.GivenNameTypo)
            {
                given = Typo(given);
                errors |= InjectedErrors.GivenNameTypo;
            }

            if (Random.Double() < Rates.FamilyNameTypo)
            {
                family = Typo(family);
                errors |= InjectedErrors.FamilyNameTypo;
            }

            if (Random.Double() < Rates.NamesSwapped)
            {
                (given, family) = (family, given);
                errors |= InjectedErrors.NamesSwapped;
            }

            string? middle = person.MiddleNames;
            if (Random.Double() < Rates.NameCase)
            {
                var upper = Random.Bool();
                given = upper ? given.ToUpperInvariant() : given.ToLowerInvariant();
                family = upper ? family.ToUpperInvariant() : family.ToLowerInvariant();
                middle = upper ? middle?.ToUpperInvariant() : middle?.ToLowerInvariant();
                errors |= InjectedErrors.NameCase;
            }

            DateOnly? dob = person.DateOfBirth;
            if (Random.Double() < source.DateOfBirthMissing)
            {
                dob = null;
                errors |= InjectedErrors.DateOfBirthMissing;
            }
            else if (person.DateOfBirth.Day <= 12 && person.DateOfBirth.Day != person.DateOfBirth.Month && Random.Double() < Rates.DayMonthSwapped)
            {
                dob = new DateOnly(person.DateOfBirth.Year, person.DateOfBirth.Day, person.DateOfBirth.Month);
                errors |= InjectedErrors.DayMonthSwapped;
            }

            var address = person.Address;
            if (source.Stale && Random.Double() < Rates.StaleAddress)
            {
                address = person.PreviousAddress;
                errors |= InjectedErrors.StaleAddress;
            }

            var postcode = address.Postcode;
            if (Random.Double() < Rates.PostcodeFormat)
            {
                postcode = Random.Bool() ? postcode.Replace(" ", "", StringComparison.Ordinal) : postcode.ToLowerInvariant();
                errors |= InjectedErrors.PostcodeFormat;
            }

            var ni = person.NiNumber;
            var nhs = person.NhsNumber;
            if (Random.Double() < Rates.InvalidIdentifier)
            {
                if (Random.Bool())
                {
                    ni = UkIdentifiers.BreakNiNumber(ni, Random);
                    errors |= InjectedErrors.InvalidNiNumber;
                }
                else
                {
                    nhs = UkIdentifiers.BreakNhsNumber(nhs, Random);
                    errors |= InjectedErrors.InvalidNhsNumber;
                }
            }

            if (Random.Double() < Rates.NiNumberSpaced)
            {
                ni = UkIdentifiers.SpaceNiNumber(ni);
                errors |= InjectedErrors.NiNumberSpaced;
            }

            return new Draft
            {
                Title = title,
                GivenName = given,
                MiddleNames = middle,
                FamilyName = family,
                Suffix = person.Suffix is not null && Random.Double() < Hard.SuffixRecorded ? person.Suffix : null,
                DateOfBirth = dob,
                Address = address,
                Postcode = postcode,
                NiNumber = ni,
                NhsNumber = nhs,
                Email = person.Email,
                Phone = person.Phone,
                Sex = person.Sex,
                Errors = errors,
            };
        }

        /// <summary>One keying slip: a letter inserted, deleted, substituted, or two neighbours transposed; never the first letter.</summary>
        private string Typo(string name)
        {
            const string Letters = "abcdefghijklmnopqrstuvwxyz";
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var result = name;
                var upper = name.All(c => !char.IsLetter(c) || char.IsUpper(c));
                var letter = Random.ArrayElement(Letters.ToCharArray());
                letter = upper ? char.ToUpperInvariant(letter) : letter;
                switch (Random.Int(0, 3))
                {
                    case 0:
                        result = name.Insert(Random.Int(1, name.Length), letter.ToString());
                        break;
                    case 1 when name.Length > 2:
                        result = name.Remove(Random.Int(1, name.Length - 1), 1);
                        break;
                    case 2 when name.Length > 1:
                        var at = Random.Int(1, name.Length - 1);
                        result = string.Concat(name.AsSpan(0, at), letter.ToString(), name.AsSpan(at + 1));
                        break;
                    case 3 when name.Length > 2:
                        var i = Random.Int(1, name.Length - 2);
                        result = string.Concat(name.AsSpan(0, i), name[i + 1].ToString(), name[i].ToString(), name.AsSpan(i + 2));
                        break;
                }

                if (!string.Equals(result, name, StringComparison.Ordinal))
                {
                    return result;
                }
            }

            return name + "e";
        }

        private GeneratedRecord Build(SourceLayout source, string key, Person person, Draft draft, DateTimeOffset observedAt) =>
            FromRow(source, key, person, draft, Row(source, key, draft), observedAt);

        /// <summary>The row the source writes for a draft: the key, then each column, empty ones as null.</summary>
        private Dictionary<string, string?> Row(SourceLayout source, string key, Draft draft)
        {
            var fields = source.Render(draft, Random);
            var raw = new Dictionary<string, string?>(StringComparer.Ordinal) { [source.Columns[0]] = key };
            foreach (var column in source.Columns.Skip(1))
            {
                raw[column] = fields.TryGetValue(column, out var value) && !string.IsNullOrEmpty(value) ? value : null;
            }

            return raw;
        }

        /// <summary>The generated record of a row the source wrote from a draft.</summary>
        private static GeneratedRecord FromRow(SourceLayout source, string key, Person person, Draft draft, Dictionary<string, string?> raw, DateTimeOffset observedAt)
        {

            // An error counts only where the source wrote the value it is in.
            var errors = draft.Errors;
            var ni = Written(raw, source, "NiNumber");
            var nhs = Written(raw, source, "NhsNumber");
            if (ni is null)
            {
                errors &= ~(InjectedErrors.InvalidNiNumber | InjectedErrors.NiNumberSpaced);
            }

            if (nhs is null)
            {
                errors &= ~InjectedErrors.InvalidNhsNumber;
            }

            var identifiers = new List<Identifier>();
            if (ni is not null)
            {
                identifiers.Add(new Identifier(IdentifierScheme.NiNumber, ni));
            }

            if (nhs is not null)
            {
                identifiers.Add(new Identifier(IdentifierScheme.NhsNumber, nhs));
            }

            var uprn = Written(raw, source, "Uprn");
            var record = new SourceRecord
            {
                SourceSystem = source.Name,
                SourceKey = key,
                ObservedAt = observedAt,
                // The given names as the file has them: a source that writes middle names only sometimes must not
                // hand the in-memory linkage more than the adapter reading its file would see.
                Name = new PersonName(
                    draft.Title,
                    Written(raw, source, "GivenNames") is { } written
                        ? string.Join(' ', new[] { written, Written(raw, source, "MiddleNames") }.Where(p => !string.IsNullOrWhiteSpace(p)))
                        : draft.MiddleNames is null ? draft.GivenName : $"{draft.GivenName} {draft.MiddleNames}",
                    draft.FamilyName,
                    draft.Suffix),
                DateOfBirth = draft.DateOfBirth is { } d ? new PartialDate(d.Year, d.Month, d.Day, d.ToString(source.DateFormat, CultureInfo.InvariantCulture).ToUpperInvariant()) : null,
                Addresses = [new PostalAddress(draft.Address.Lines, draft.Address.Town, draft.Postcode, uprn)],
                Identifiers = identifiers,
                Emails = Written(raw, source, "Emails") is { } email ? [email] : [],
                Phones = Written(raw, source, "Phones") is { } phone ? [phone] : [],
                RawFields = raw,
            };
            return new GeneratedRecord(person.Id, errors, record);
        }

        /// <summary>The value the source wrote in the column its mapping names for a canonical part, if any.</summary>
        private static string? Written(Dictionary<string, string?> raw, SourceLayout source, string part)
        {
            var column = source.Mapping[part] switch
            {
                System.Text.Json.Nodes.JsonArray list => (string?)list[0],
                { } single => (string?)single,
                null => null,
            };
            return column is not null && raw.TryGetValue(column, out var value) ? value : null;
        }
    }
}
