using CitizenHub.Contracts;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;

namespace CitizenHub.Matching.Tests.Identity;

/// <summary>
/// The identity engine decides a message from a snapshot alone: what it links, merges, splits and removes, and the
/// changes and events it returns, with no store behind it.
/// </summary>
public sealed class IdentityEngineTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Resolve_FirstRecordOfAnEmptyStore_StartsACitizenWithItsGoldenRecord()
    {
        var store = new HeldStore();
        var record = Source("tax", "1", "Jonathan", "Whitfield", (1971, 4, 12), "ST16 2AB");

        var changes = store.Resolve(record);

        var started = Assert.Single(changes.Changes.OfType<IdentityChange.CitizenStarted>());
        var saved = Assert.Single(changes.Changes.OfType<IdentityChange.RecordSaved>());
        Assert.Equal(started.CitizenId, saved.CitizenId);
        Assert.False(saved.WasHeld);
        var golden = Assert.Single(changes.Changes.OfType<IdentityChange.GoldenRecordWritten>());
        Assert.Equal(1, golden.Version);
        Assert.Contains(golden.Fields, f => f.Field == GoldenFields.FamilyName && f.Value == "Whitfield");
        Assert.Equal([HistoryCause.Created, HistoryCause.RecordAdded], changes.Changes.OfType<IdentityChange.HistoryAdded>().Select(h => h.Entry.Cause));
        var created = Assert.IsType<CitizenCreated>(Assert.Single(changes.Events));
        Assert.Equal((started.CitizenId, 1L), (created.CitizenId, created.Version));
        Assert.Equal(new RunTally(Added: 1, CitizensCreated: 1), changes.Tally);
    }

    [Fact]
    public void Resolve_ARecordNotHeld_SupersedesNoReview_AndOneChangedInPlaceSupersedesItsOwn()
    {
        var store = new HeldStore();
        store.Hold("c1", version: 2, Source("tax", "1", "Grace", "Okafor", (1988, 1, 20), "ST16 2AB"));

        var added = store.Resolve(Source("housing", "2", "Grace", "Okafor", (1988, 1, 20), "ST16 2AB"));
        var changed = store.Resolve(Source("tax", "1", "Grace", "Okafor", (1988, 1, 20), "ST16 3CD"));

        Assert.Empty(added.Changes.OfType<IdentityChange.ReviewsSuperseded>());
        var superseded = Assert.Single(changed.Changes.OfType<IdentityChange.ReviewsSuperseded>());
        Assert.Equal(new SourceRecordRef("tax", "1"), superseded.Record);
    }

    [Fact]
    public void Resolve_TwoRecordsOfOnePersonInOneMessage_TheSecondFindsTheCitizenTheFirstStarted()
    {
        var store = new HeldStore();

        var changes = store.Resolve(
            Source("tax", "1", "Jonathan", "Whitfield", (1971, 4, 12), "ST16 2AB"),
            Source("housing", "9", "Jonathon", "Whitfield", (1971, 4, 12), "ST16 2AB"));

        var started = Assert.Single(changes.Changes.OfType<IdentityChange.CitizenStarted>());
        Assert.All(changes.Changes.OfType<IdentityChange.RecordSaved>(), s => Assert.Equal(started.CitizenId, s.CitizenId));
        Assert.NotNull(changes.Changes.OfType<IdentityChange.RecordSaved>().Last().Evidence);
        Assert.Equal(new RunTally(Added: 2, CitizensCreated: 1, Linked: 1), changes.Tally);
    }

    [Fact]
    public void Resolve_RecordOfAHeldPerson_LinksToThemAndMovesTheirVersionOn()
    {
        var store = new HeldStore();
        var held = store.Hold("c-held", version: 3, Source("tax", "1", "Margaret", "Hughes", (1950, 3, 4), "ST17 4QT"));

        var changes = store.Resolve(Source("benefits", "B7", "Peggy", "Hughes", (1950, 3, 4), "ST17 4QT"));

        Assert.Empty(changes.Changes.OfType<IdentityChange.CitizenStarted>());
        Assert.Equal(held, Assert.Single(changes.Changes.OfType<IdentityChange.RecordSaved>()).CitizenId);
        Assert.Equal(4, Assert.Single(changes.Changes.OfType<IdentityChange.GoldenRecordWritten>()).Version);
        Assert.Equal(new RunTally(Added: 1, Linked: 1), changes.Tally);
    }

    [Fact]
    public void Resolve_RecordBridgingTwoHeldCitizens_MergesThemAndTheOlderSurvivesWhateverItsId()
    {
        var store = new HeldStore();
        // The older citizen (first in the store's order) has the id that sorts last: the order, not the id, decides.
        var older = store.Hold("z-older", version: 1, Source("tax", "1", "Owen", "Pritchard", (1982, 7, 30), "ST16 1AA", ni: "AB123456C"));
        var newer = store.Hold("a-newer", version: 1, Source("housing", "2", "Owen", "Pritchard", null, "ST16 1AA", nhs: "9434765919"));

        var changes = store.Resolve(Source("care", "3", "Owen", "Pritchard", (1982, 7, 30), "ST16 1AA", ni: "AB123456C", nhs: "9434765919"));

        var absorbed = Assert.Single(changes.Changes.OfType<IdentityChange.CitizenAbsorbed>());
        Assert.Equal((older, newer), (absorbed.SurvivorId, absorbed.AbsorbedId));
        var merged = Assert.IsType<CitizensMerged>(Assert.Single(changes.Events, e => e is CitizensMerged));
        Assert.Equal((older, newer), (merged.SurvivingId, merged.RetiredId));
        Assert.Equal(1, changes.Tally.Merged);
    }

    [Fact]
    public void Resolve_UnchangedRecord_ChangesNothing()
    {
        var store = new HeldStore();
        var record = Source("tax", "1", "Aisha", "Rahman", (1990, 3, 7), "ST16 3RZ");
        store.Hold("c1", version: 1, record);

        var changes = store.Resolve(record with { ObservedAt = record.ObservedAt.AddDays(1) });

        Assert.Empty(changes.Changes);
        Assert.Empty(changes.Events);
        Assert.Equal(new RunTally(Unchanged: 1), changes.Tally);
    }

    [Fact]
    public void Resolve_UpdateThatNoLongerMatchesItsCitizen_LeavesForANewCitizen_AndTheRestStay()
    {
        var store = new HeldStore();
        var citizen = store.Hold(
            "c1",
            version: 2,
            Source("tax", "1", "Grace", "Okafor", (1988, 1, 20), "ST16 2AB"),
            Source("housing", "2", "Grace", "Okafor", (1988, 1, 20), "ST16 2AB"));

        // The housing record now says someone else entirely lives under its key.
        var changes = store.Resolve(Source("housing", "2", "Bartholomew", "Quigley", (1941, 9, 2), "WV1 1AA"));

        var saved = Assert.Single(changes.Changes.OfType<IdentityChange.RecordSaved>());
        Assert.True(saved.WasHeld);
        var started = Assert.Single(changes.Changes.OfType<IdentityChange.CitizenStarted>());
        Assert.Equal(started.CitizenId, saved.CitizenId);
        Assert.Contains(changes.Changes.OfType<IdentityChange.HistoryAdded>(), h => h.Entry is { Cause: HistoryCause.RecordRemoved } e && e.CitizenId == citizen && e.RelatedCitizenId == started.CitizenId);
        // Both golden records are rebuilt: the new citizen's from the record, the old one's from what it kept.
        var rebuilt = changes.Changes.OfType<IdentityChange.GoldenRecordWritten>().ToDictionary(g => g.CitizenId);
        Assert.Contains(rebuilt[started.CitizenId].Fields, f => f.Field == GoldenFields.FamilyName && f.Value == "Quigley");
        Assert.DoesNotContain(rebuilt[citizen].Fields, f => f.SourceKey == "2");
        Assert.Equal(new RunTally(Updated: 1, CitizensCreated: 1), changes.Tally);
    }

    [Fact]
    public void Remove_TheOnlyRecord_LeavesTheGoldenRecordEmpty_AndNotesWhereTheRecordWas()
    {
        var store = new HeldStore();
        var citizen = store.Hold("c1", version: 2, Source("tax", "1", "Ivy", "Sharma", (1979, 5, 5), "ST16 9ZZ"));

        var changes = store.Remove("tax", "1");

        var removed = Assert.Single(changes.Changes.OfType<IdentityChange.RecordRemoved>());
        Assert.Equal(citizen, removed.CitizenId);
        Assert.Contains(changes.Changes, c => c is IdentityChange.ReviewsSuperseded);
        var golden = Assert.Single(changes.Changes.OfType<IdentityChange.GoldenRecordWritten>());
        Assert.True(golden.Empty);
        Assert.Equal(3, golden.Version);
        Assert.Equal(new RunTally(Removed: 1), changes.Tally);
    }

    [Fact]
    public void Resolve_AStewardSaidTheRecordIsNotTheHeldPerson_ItStartsACitizenOfItsOwn()
    {
        var store = new HeldStore();
        store.Hold("c1", version: 1, Source("tax", "1", "Margaret", "Hughes", (1950, 3, 4), "ST17 4QT"));
        store.Declare(new SourceRecordRef("benefits", "B7"), new SourceRecordRef("tax", "1"), same: false);

        var changes = store.Resolve(Source("benefits", "B7", "Margaret", "Hughes", (1950, 3, 4), "ST17 4QT"));

        Assert.Single(changes.Changes.OfType<IdentityChange.CitizenStarted>());
        Assert.Equal(new RunTally(Added: 1, CitizensCreated: 1), changes.Tally);
    }

    [Fact]
    public void Resolve_ACandidateWhoseCitizenTheSnapshotLeftOut_Throws_RatherThanDecideOnHalfTheFacts()
    {
        var store = new HeldStore();
        store.Hold("c1", version: 1, Source("tax", "1", "Margaret", "Hughes", (1950, 3, 4), "ST17 4QT"));
        store.LeaveOutCitizens = true;

        Assert.Throws<IdentitySnapshotIncompleteException>(() => store.Resolve(Source("benefits", "B7", "Peggy", "Hughes", (1950, 3, 4), "ST17 4QT")));
    }

    [Fact]
    public void Resolve_ErasedRecordSentUnchanged_StaysOut_AndChangedLiftsTheSuppressionFirst()
    {
        var store = new HeldStore();
        var record = Source("tax", "1", "Ivy", "Sharma", (1979, 5, 5), "ST16 9ZZ");
        store.Suppress(record);

        var unchanged = store.Resolve(record);
        var changed = store.Resolve(record with { SourceVersion = "2" });

        Assert.Empty(unchanged.Changes);
        Assert.Equal(new RunTally(Unchanged: 1), unchanged.Tally);
        Assert.IsType<IdentityChange.SuppressionLifted>(changed.Changes[0]);
        Assert.Single(changed.Changes.OfType<IdentityChange.RecordSaved>());
    }

    [Fact]
    public void Split_ByAStewardOfARecord_KeepsItApartFromEachRecordItLeaves()
    {
        var store = new HeldStore();
        var citizen = store.Hold(
            "c1",
            version: 2,
            Source("tax", "1", "Grace", "Okafor", (1988, 1, 20), "ST16 2AB"),
            Source("housing", "2", "Grace", "Okafor", (1988, 1, 20), "ST16 2AB"),
            Source("care", "3", "Grace", "Okafor", (1988, 1, 20), "ST16 2AB"));

        var result = store.Engine.Split(store.Snapshot([]), citizen, new SourceRecordRef("care", "3"), "steward-1", null, Now);

        Assert.Equal(StewardOutcomeKind.Applied, result.Outcome.Kind);
        Assert.Equal(2, result.Changes.Changes.OfType<IdentityChange.StewardDecisionAdded>().Count(d => !d.Decision.SamePerson));
        Assert.Equal(result.Outcome.OtherCitizenId, Assert.Single(result.Changes.Changes.OfType<IdentityChange.RecordMoved>()).CitizenId);
        Assert.Equal(StewardOutcomeKind.CitizenNotFound, store.Engine.Split(store.Snapshot([]), "no-such", new SourceRecordRef("care", "3"), "steward-1", null, Now).Outcome.Kind);
    }

    [Fact]
    public void SetRestriction_SaysWhetherTheStateChanged_WithAnEventOnlyWhenItDid()
    {
        var store = new HeldStore();
        var citizen = store.Hold("c1", version: 1, Source("tax", "1", "Ivy", "Sharma", (1979, 5, 5), "ST16 9ZZ"));

        var placed = store.Engine.SetRestriction(store.Snapshot([]), citizen, restricted: true, Now);
        store.Restrict(citizen);
        var again = store.Engine.SetRestriction(store.Snapshot([]), citizen, restricted: true, Now);

        Assert.IsType<CitizenRestrictionChanged>(Assert.Single(placed.Changes.Events));
        Assert.Empty(again.Changes.Events);
        Assert.DoesNotContain(again.Changes.Changes, c => c is IdentityChange.HistoryAdded);
    }

    [Fact]
    public void Resolve_ARecordOfAnotherPersonHeldInACitizen_GoesToThatPersonWhenTheirNextRecordArrives()
    {
        // An earlier order of arrival left the care record of one Grace Okafor (born 1990) in the citizen of
        // another (born 1988). When the younger Grace's benefit claim arrives, the records are decided again: the
        // care record joins her, and the elder keeps her id and her own two records.
        var store = new HeldStore();
        store.Hold("elder", version: 1,
            Source("tax", "1", "Grace", "Okafor", (1988, 1, 20), "ST16 2AB"),
            Source("housing", "2", "Grace", "Okafor", (1988, 1, 20), "ST16 2AB"),
            Source("care", "3", "Grace", "Okafor", (1990, 5, 5), "ST16 2AB"));
        store.Hold("younger", version: 1, Source("tax", "4", "Grace", "Okafor", (1990, 5, 5), "ST16 2AB"));

        var changes = store.Resolve(Source("housing", "5", "Grace", "Okafor", (1990, 5, 5), "ST16 2AB"));

        Assert.Equal(["care:3 housing:5 tax:4", "housing:2 tax:1"], People(changes, store.Held));
        Assert.Equal("younger", CitizenOf(changes, "care", "3"));
        Assert.Contains(changes.Changes.OfType<IdentityChange.HistoryAdded>(),
            h => h.Entry is { CitizenId: "elder", Cause: HistoryCause.RecordRemoved, RelatedCitizenId: "younger" } && h.Entry.Record == new SourceRecordRef("care", "3"));
    }

    [Fact]
    public void Resolve_AClaimThatJoinsOneOfTwoCitizensOfOnePerson_BringsTheOtherAlongAndTheEmptiedIdForwards()
    {
        // The store holds one woman as two citizens (an earlier order of arrival left them apart; her care record has
        // no date of birth). Her benefit claim, from a new address, joins her council-tax account by its NI number and
        // shares only her name with the care record; decided again in one fixed order, the care record (her name at the
        // account's address) is hers too. The citizen with
        // more of her records keeps its id, and the other forwards to it, so a CRM holding either still finds her.
        var store = new HeldStore();
        store.Hold("first", version: 1, Source("tax", "1", "Grace", "Okafor", (1988, 1, 2), "ST16 2AB", ni: "JG103792A"));
        store.Hold("second", version: 1, Source("care", "3", "Grace", "Okafor", null, "ST16 2AB"));

        var changes = store.Resolve(Source("housing", "5", "Grace", "Okafor", (1988, 1, 2), "ST17 4QR", ni: "JG103792A"));

        Assert.Equal(["care:3 housing:5 tax:1"], People(changes, store.Held));
        Assert.Equal("first", CitizenOf(changes, "care", "3"));
        Assert.Contains(changes.Changes.OfType<IdentityChange.CitizenAbsorbed>(), a => a is { SurvivorId: "first", AbsorbedId: "second" });
        Assert.Contains(changes.Events.OfType<CitizensMerged>(), m => m.SurvivingId == "first" && m.RetiredId == "second");
    }

    [Fact]
    public void Resolve_ANeighbourWhoseRecordsNoLongerLink_IsPartedButNotJoinedToAnother()
    {
        // A citizen holds a care record of a Grace Okafor born 1990 beside two of one born 1988. A record that only
        // shares the name and area with them has them decided again: the 1990 record is parted from the 1988 ones,
        // and not joined to the other 1990 citizen, since nothing new says it is her.
        var store = new HeldStore();
        store.Hold("elder", version: 1,
            Source("tax", "1", "Grace", "Okafor", (1988, 1, 20), "ST16 2AB"),
            Source("housing", "2", "Grace", "Okafor", (1988, 1, 20), "ST16 2AB"),
            Source("care", "3", "Grace", "Okafor", (1990, 5, 5), "ST16 2AB"));
        store.Hold("younger", version: 1, Source("tax", "4", "Grace", "Okafor", (1990, 5, 5), "ST16 9ZZ"));

        var changes = store.Resolve(Source("library", "9", "Grace", "Okafor", null, "ST17 4QR"));

        var people = People(changes, store.Held);
        Assert.Contains("housing:2 tax:1", people);
        Assert.Contains("care:3", people);
        Assert.Contains("tax:4", people);
        // The elder keeps her id and records; the care record went to a citizen of its own.
        Assert.Null(CitizenOf(changes, "tax", "1"));
        Assert.DoesNotContain(CitizenOf(changes, "care", "3"), new[] { "elder", "younger", null });
    }

    [Theory]
    [InlineData(1_000, false)]
    [InlineData(10_000, true)]
    public void Reweigh_AReviewAskedWhenFewRecordsWereIn_LinksOnceTheNameIsSeenToBeRare(long othersHeld, bool links)
    {
        // A name held by two records of a thousand weighs too little to link across addresses; by two of ten
        // thousand, enough. The review asked early in a first load is weighed again by the counts held now.
        var store = new HeldStore { OthersHeld = othersHeld };
        store.Hold("dated", version: 1, Source("tax", "1", "Eirlys", "Quennell", (1971, 4, 12), "ST16 2AB"));
        store.Hold("roll", version: 1, Source("roll", "2", "Eirlys", "Quennell", null, "ST19 5XY"));
        var review = new ReviewItem(
            7, new SourceRecordRef("roll", "2"), new PairEvidence("dated", "tax", "1", new MatchExplanation(14, MatchBand.Review, null, null, [])), ReviewStatus.Open, Now);

        var changes = store.Reweigh(review);

        var people = People(changes, store.Held);
        if (links)
        {
            Assert.Equal(["roll:2 tax:1"], people);
            var closed = Assert.Single(changes.Changes.OfType<IdentityChange.ReviewClosed>());
            Assert.Equal((7L, ReviewStatus.Superseded), (closed.ReviewId, closed.Status));
            // The newer citizen forwards to the older, which keeps its id.
            Assert.Contains(changes.Changes.OfType<IdentityChange.CitizenAbsorbed>(), m => (m.SurvivorId, m.AbsorbedId) == ("dated", "roll"));
        }
        else
        {
            Assert.Equal(["roll:2", "tax:1"], people);
            Assert.Empty(changes.Changes);
        }
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(400, true)]
    public void DecideAgain_ALinkOnANameAloneMadeEarly_IsPartedOnceTheNameIsSeenToBeCommon(long othersOfTheName, bool parted)
    {
        // Linked on the name alone across addresses while the name looked rare; among twenty thousand records four
        // hundred more of each name say strangers share it, and the link would not be made now.
        var store = new HeldStore { OthersHeld = 20_000 };
        store.OthersNamed["EIRLYS"] = othersOfTheName;
        store.OthersNamed["QUENNELL"] = othersOfTheName;
        store.Hold("dated", version: 1,
            Source("tax", "1", "Eirlys", "Quennell", (1971, 4, 12), "ST16 2AB"),
            Source("roll", "2", "Eirlys", "Quennell", null, "ST19 5XY"));

        var changes = store.DecideAgain(new SourceRecordRef("tax", "1"), new SourceRecordRef("roll", "2"));

        var people = People(changes, store.Held);
        if (parted)
        {
            Assert.Equal(["roll:2", "tax:1"], people);
            Assert.Null(CitizenOf(changes, "tax", "1"));
        }
        else
        {
            Assert.Equal(["roll:2 tax:1"], people);
            Assert.Empty(changes.Changes);
        }
    }

    /// <summary>The citizen a message's changes leave holding a record; null when they do not place it.</summary>
    private static string? CitizenOf(ChangeSet changes, string system, string key) =>
        changes.Changes.Select(c => c switch
        {
            IdentityChange.RecordSaved saved when saved.Record.SourceSystem == system && saved.Record.SourceKey == key => saved.CitizenId,
            IdentityChange.RecordMoved moved when moved.Record == new SourceRecordRef(system, key) => moved.CitizenId,
            _ => null,
        }).LastOrDefault(c => c is not null);

    /// <summary>Whom the records held and a message's changes leave holding which records: each person as its records' keys, in order.</summary>
    private static SortedSet<string> People(ChangeSet changes, IReadOnlyDictionary<SourceRecordRef, HeldRecord> held)
    {
        var citizenOf = held.ToDictionary(h => $"{h.Key.SourceSystem}:{h.Key.SourceKey}", h => h.Value.CitizenId, StringComparer.Ordinal);
        foreach (var change in changes.Changes)
        {
            switch (change)
            {
                case IdentityChange.RecordSaved saved:
                    citizenOf[$"{saved.Record.SourceSystem}:{saved.Record.SourceKey}"] = saved.CitizenId;
                    break;
                case IdentityChange.RecordMoved moved:
                    citizenOf[$"{moved.Record.SourceSystem}:{moved.Record.SourceKey}"] = moved.CitizenId;
                    break;
                case IdentityChange.CitizenAbsorbed absorbed:
                    foreach (var record in citizenOf.Where(c => c.Value == absorbed.AbsorbedId).Select(c => c.Key).ToList())
                    {
                        citizenOf[record] = absorbed.SurvivorId;
                    }

                    break;
            }
        }

        return new SortedSet<string>(
            citizenOf.GroupBy(c => c.Value).Select(g => string.Join(" ", g.Select(c => c.Key).Order(StringComparer.Ordinal))),
            StringComparer.Ordinal);
    }

    private static SourceRecord Source(
        string system,
        string key,
        string given,
        string family,
        (int Y, int M, int D)? dob,
        string postcode,
        string? ni = null,
        string? nhs = null) => new()
        {
            SourceSystem = system,
            SourceKey = key,
            ObservedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
            Name = new PersonName(null, given, family),
            DateOfBirth = dob is { } d ? new PartialDate(d.Y, d.M, d.D) : null,
            Addresses = [new PostalAddress(["14 Weston Road"], "Stafford", postcode)],
            Identifiers = [.. new[] { (IdentifierScheme.NiNumber, ni), (IdentifierScheme.NhsNumber, nhs) }
                .Where(i => i.Item2 is not null)
                .Select(i => new Identifier(i.Item1, i.Item2!))],
        };

    /// <summary>A store's contents held in memory, read into snapshots as a store would read them.</summary>
    private sealed class HeldStore
    {
        private readonly List<CitizenState> _citizens = [];
        private readonly Dictionary<SourceRecordRef, HeldRecord> _held = [];
        private readonly Dictionary<SourceRecordRef, StewardDeclarations> _declared = [];
        private readonly Dictionary<SourceRecordRef, string> _suppressed = [];
        private readonly Keys _keys = new();
        private int _ids;

        public IdentityEngine Engine { get; }

        public IReadOnlyDictionary<SourceRecordRef, HeldRecord> Held => _held;

        public bool LeaveOutCitizens { get; set; }

        /// <summary>Records held beyond those given here, counted in the names' total (none of them shares a name unless <see cref="OthersNamed"/> says so).</summary>
        public long OthersHeld { get; set; }

        /// <summary>How many of <see cref="OthersHeld"/> hold each name, given or family.</summary>
        public Dictionary<string, long> OthersNamed { get; } = new(StringComparer.Ordinal);

        public HeldStore() => Engine = new IdentityEngine(new Linker(new PairScorer(MatchModel.Default)), SurvivorshipRanks.None, _ => $"new-{++_ids}");

        public string Hold(string citizenId, long version, params SourceRecord[] records)
        {
            var normalised = records.Select(RecordNormaliser.Normalise).OrderBy(r => r.SourceSystem, StringComparer.Ordinal).ThenBy(r => r.SourceKey, StringComparer.Ordinal).ToList();
            _citizens.Add(new CitizenState(citizenId, _citizens.Count + 1, CitizenStatus.Active, version, normalised, GoldenRecordBuilder.Build(normalised, SurvivorshipRanks.None), false));
            foreach (var record in records)
            {
                var key = new SourceRecordRef(record.SourceSystem, record.SourceKey);
                _held[key] = new HeldRecord(citizenId, IdentityEngine.ContentHash(record), record.ObservedAt);
                _keys.Hold(key, BlockingKeys.For(RecordNormaliser.Normalise(record)));
            }

            return citizenId;
        }

        public void Declare(SourceRecordRef record, SourceRecordRef other, bool same)
        {
            _declared[record] = same ? new(new HashSet<SourceRecordRef> { other }, new HashSet<SourceRecordRef>()) : new(new HashSet<SourceRecordRef>(), new HashSet<SourceRecordRef> { other });
            _declared[other] = same ? new(new HashSet<SourceRecordRef> { record }, new HashSet<SourceRecordRef>()) : new(new HashSet<SourceRecordRef>(), new HashSet<SourceRecordRef> { record });
        }

        public void Suppress(SourceRecord record) => _suppressed[new SourceRecordRef(record.SourceSystem, record.SourceKey)] = IdentityEngine.ContentHash(record);

        public void Restrict(string citizenId)
        {
            var at = _citizens.FindIndex(c => c.CitizenId == citizenId);
            _citizens[at] = _citizens[at] with { Restricted = true };
        }

        public ChangeSet Resolve(params SourceRecord[] records)
        {
            var arrivals = IdentityEngine.Arrivals(records, _held, _suppressed);
            return Engine.Resolve(Snapshot(arrivals.Select(a => a.Normalised).OfType<NormalisedRecord>()), arrivals, Now);
        }

        public ChangeSet Reweigh(params ReviewItem[] reviews) => Engine.Reweigh(Snapshot([]), reviews, Now);

        public ChangeSet DecideAgain(params SourceRecordRef[] records) => Engine.DecideAgain(Snapshot([]), records, Now);

        public ChangeSet Remove(string system, params string[] keys) =>
            Engine.Remove(Snapshot([]), new SourceRecordsRemoved(Guid.NewGuid(), system, 1, [.. keys], Now), Now);

        // Everything held: a store reads only what a message can touch, which here is all of it (or, told to, no citizen).
        public IdentitySnapshot Snapshot(IEnumerable<NormalisedRecord> searching)
        {
            var names = _citizens.SelectMany(c => c.Records).Concat(searching).ToList();
            return new IdentitySnapshot(
                _held,
                LeaveOutCitizens ? [] : _citizens,
                _declared,
                _suppressed,
                new Dictionary<SourceRecordRef, string>(),
                new NameCounts(
                    _held.Count + OthersHeld,
                    names.Where(r => r.FamilyKey is not null).GroupBy(r => r.FamilyKey!).ToDictionary(g => g.Key, g => g.Count() + OthersNamed.GetValueOrDefault(g.Key)),
                    names.Where(r => r.GivenKey is not null).GroupBy(r => r.GivenKey!).ToDictionary(g => g.Key, g => g.Count() + OthersNamed.GetValueOrDefault(g.Key))),
                _keys);
        }
    }

    private sealed class Keys : IHeldKeys
    {
        private readonly Dictionary<ulong, List<SourceRecordRef>> _holders = [];

        public void Hold(SourceRecordRef record, IReadOnlyList<string> keys)
        {
            foreach (var hash in keys.Select(k => BlockingKeys.Hash(k)).Distinct())
            {
                (_holders.TryGetValue(hash, out var list) ? list : _holders[hash] = []).Add(record);
            }
        }

        public IReadOnlyCollection<SourceRecordRef> HoldersOf(ulong hash) => _holders.TryGetValue(hash, out var list) ? list : [];
    }
}
