using System.Text.Json.Nodes;

namespace CitizenHub.Bench;

public sealed partial record LabelledPopulation
{
    /// <summary>
    /// A population (the same as <see cref="Generate"/> gives for <paramref name="options"/>) and the same population one
    /// night later, with <paramref name="changes"/> records changed, added or removed in the mix of
    /// <see cref="NightlyDelta.Mix"/>. The night's choices come from the same <see cref="Bogus.Randomizer"/>, after the
    /// first generation's, so the same options and changes give the same delta; the new values come from the
    /// generator's own machinery (new homes, phones from the drama ranges, e-mails, each source's way of writing them).
    /// </summary>
    /// <param name="changes">How many records to change, add or remove; at most the records of the first population.</param>
    public static NightlyDelta GenerateWithDelta(PopulationOptions options, int changes)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(changes);
        options.Validate();
        var generator = new Generator(options);
        var before = generator.Run();
        ArgumentOutOfRangeException.ThrowIfGreaterThan(changes, before.Records.Count);
        return generator.Delta(before, changes);
    }

    private sealed partial class Generator
    {
        private const InjectedErrors NameErrors = InjectedErrors.FamilyNameTypo | InjectedErrors.GivenNameTypo | InjectedErrors.Nickname
            | InjectedErrors.NamesSwapped | InjectedErrors.NameCase | InjectedErrors.MaidenName;

        private static readonly string[] AddressParts = ["AddressLines", "Town", "Postcode", "Uprn"];
        private static readonly string[] NameParts = ["Title", "GivenNames", "MiddleNames", "FamilyName", "FullName"];

        /// <summary>The night after <see cref="Run"/>: who left, what changed, who came.</summary>
        public NightlyDelta Delta(LabelledPopulation before, int changes)
        {
            var wanted = NightlyDelta.Shares(changes);
            var observedAt = new DateTimeOffset(options.ReferenceDate.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var records = new List<GeneratedRecord>(_records);
            var touched = new bool[records.Count];
            var removed = new bool[records.Count];
            var made = new List<DeltaChange>(changes);
            var order = Random.Shuffle(Enumerable.Range(0, records.Count)).ToArray();
            var personIndex = new Dictionary<string, int>(_persons.Count, StringComparer.Ordinal);
            for (var p = 0; p < _persons.Count; p++)
            {
                personIndex[_persons[p].Id] = p;
            }

            // Who left the area: every record of each, one person at a time, until the share is reached.
            var recordsOf = Enumerable.Range(0, records.Count).ToLookup(i => records[i].PersonId, StringComparer.Ordinal);
            var gone = new HashSet<string>(StringComparer.Ordinal);
            var removals = wanted[DeltaChangeKind.Removed];
            foreach (var i in order)
            {
                if (removals == 0)
                {
                    break;
                }

                if (touched[i])
                {
                    continue;
                }

                gone.Add(records[i].PersonId);
                foreach (var j in recordsOf[records[i].PersonId])
                {
                    if (removals > 0 && !touched[j])
                    {
                        touched[j] = removed[j] = true;
                        removals--;
                        made.Add(new DeltaChange(DeltaChangeKind.Removed, records[j].Ref));
                    }
                }
            }

            // What changed: the scarce kinds first; whatever they cannot take moves home, which any record can.
            var shortfall = 0;
            foreach (var kind in new[] { DeltaChangeKind.NameCorrected, DeltaChangeKind.Email, DeltaChangeKind.Phone, DeltaChangeKind.Moved })
            {
                var left = wanted[kind] + (kind == DeltaChangeKind.Moved ? shortfall : 0);
                foreach (var i in order)
                {
                    if (left == 0)
                    {
                        break;
                    }

                    if (touched[i] || gone.Contains(records[i].PersonId) || Changed(kind, i, records[i], personIndex, observedAt) is not { } changed)
                    {
                        continue;
                    }

                    records[i] = changed;
                    touched[i] = true;
                    left--;
                    made.Add(new DeltaChange(kind, changed.Ref));
                }

                shortfall += left;
            }

            var after = new List<GeneratedRecord>(records.Count + wanted[DeltaChangeKind.Added]);
            var drafts = new List<Draft>(after.Capacity);
            for (var i = 0; i < records.Count; i++)
            {
                if (!removed[i])
                {
                    after.Add(records[i]);
                    drafts.Add(_drafts[i]);
                }
            }

            // Who came: new households in new homes, each person in the sources a resident of their kind would be in.
            var additions = wanted[DeltaChangeKind.Added];
            while (additions > 0)
            {
                var first = _persons.Count;
                AddHousehold(Math.Min(3, additions));
                for (var p = first; p < _persons.Count && additions > 0; p++)
                {
                    var person = _persons[p];
                    foreach (var source in SourcesFor(person).Take(additions))
                    {
                        var draft = Draft(person, source);
                        var record = Build(source, Key(source, _nextKey[source.Name]++), person, draft, observedAt);
                        after.Add(record);
                        drafts.Add(draft);
                        additions--;
                        made.Add(new DeltaChange(DeltaChangeKind.Added, record.Ref));
                    }
                }
            }

            _records = after;
            _drafts.Clear();
            _drafts.AddRange(drafts);
            return new NightlyDelta(before, Snapshot(after), made);
        }

        /// <summary>Record <paramref name="index"/> after a change of <paramref name="kind"/>; null when it cannot take one.</summary>
        private GeneratedRecord? Changed(DeltaChangeKind kind, int index, GeneratedRecord record, Dictionary<string, int> personIndex, DateTimeOffset observedAt)
        {
            var source = SourceLayout.All.First(s => s.Name == record.Record.SourceSystem);
            var p = personIndex[record.PersonId];
            var person = _persons[p];
            var draft = _drafts[index].Copy();
            string[] parts;
            var needsValue = false;
            switch (kind)
            {
                case DeltaChangeKind.Moved:
                    var home = NewProperty();
                    draft.Address = home;
                    draft.Postcode = home.Postcode;
                    draft.Errors &= ~(InjectedErrors.StaleAddress | InjectedErrors.PostcodeFormat);
                    person = person with { Address = home, PreviousAddress = person.Address };
                    parts = AddressParts;
                    break;
                case DeltaChangeKind.Phone:
                    if (Columns(source, ["Phones"]).Length == 0 || record.Record.Phones.Count == 0 || NextPhone() is not { } phone)
                    {
                        return null;
                    }

                    draft.Phone = phone;
                    person = person with { Phone = phone };
                    parts = ["Phones"];
                    needsValue = true;
                    break;
                case DeltaChangeKind.Email:
                    if (Columns(source, ["Emails"]).Length == 0 || record.Record.Emails.Count == 0)
                    {
                        return null;
                    }

                    var email = Email(person.GivenName, person.FamilyName);
                    draft.Email = email;
                    person = person with { Email = email };
                    parts = ["Emails"];
                    needsValue = true;
                    break;
                default:
                    if ((draft.Errors & NameErrors) == InjectedErrors.None)
                    {
                        return null;
                    }

                    draft.Title = person.Title;
                    draft.GivenName = person.GivenName;
                    draft.MiddleNames = person.MiddleNames;
                    draft.FamilyName = person.FamilyName;
                    draft.Errors &= ~NameErrors;
                    parts = NameParts;
                    break;
            }

            // The source writes the new value its own way; the rest of its row stays as it was. A source that writes a
            // value only sometimes is asked again (a few times) until it writes a different one.
            var columns = Columns(source, parts);
            var was = record.Record.RawFields;
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var rendered = Row(source, record.Record.SourceKey, draft);
                if (columns.Any(c => !string.Equals(rendered[c], was[c], StringComparison.Ordinal))
                    && (!needsValue || columns.All(c => rendered[c] is not null)))
                {
                    var row = new Dictionary<string, string?>(was, StringComparer.Ordinal);
                    foreach (var column in columns)
                    {
                        row[column] = rendered[column];
                    }

                    _persons[p] = person;
                    _drafts[index] = draft;
                    return FromRow(source, record.Record.SourceKey, person, draft, row, observedAt);
                }
            }

            return null;
        }

        /// <summary>The columns a source's mapping names for canonical parts, where it writes them at all.</summary>
        private static string[] Columns(SourceLayout source, string[] parts) =>
        [
            .. parts.SelectMany(part => source.Mapping[part] switch
            {
                JsonArray list => list.Select(c => (string)c!),
                { } single => [(string)single!],
                null => [],
            }),
        ];
    }
}
