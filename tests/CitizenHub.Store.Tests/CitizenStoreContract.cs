using System.Data.Common;
using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;
using CitizenHub.TestKit;

namespace CitizenHub.Store.Tests;

/// <summary>
/// What every <see cref="ICitizenStore"/> must do, run against each real store by a derived class
/// (<c>SqliteCitizenStoreTests</c>, <c>PostgresCitizenStoreTests</c>).
/// </summary>
public abstract class CitizenStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset At = new(2026, 11, 2, 3, 0, 0, TimeSpan.Zero);
    private ICitizenStore? _store;
    private int _sequence;

    /// <summary>The store under test, migrated before each test.</summary>
    protected ICitizenStore Store => _store ?? throw new InvalidOperationException("The store is made in InitializeAsync.");

    /// <summary>A new store on a fresh, empty database (not yet migrated).</summary>
    protected abstract Task<ICitizenStore> CreateStoreAsync();

    /// <summary>Runs a statement on the store's database directly, bypassing the store.</summary>
    protected abstract Task ExecuteRawAsync(string sql);

    /// <summary>The indexes of the records' table as the database describes them (name, columns, kind), in order of name.</summary>
    protected abstract Task<IReadOnlyList<string>> RecordIndexesAsync();

    /// <summary>
    /// SQL that puts the store back as it was before named schemes' identifiers were kept for the search: their keys
    /// gone, and the migration that lists the records held to write them for not yet run.
    /// </summary>
    protected abstract string BeforeSchemeKeysWereKept { get; }

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.MigrateAsync(CancellationToken.None);
    }

    public virtual async Task DisposeAsync()
    {
        switch (_store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    [Fact]
    public async Task MigrateAsync_RunAgain_KeepsDataAndVersion()
    {
        var id = await InSessionAsync(s => s.CreateCitizenAsync(At));

        await Store.MigrateAsync(CancellationToken.None);

        Assert.NotNull(await Store.GetCitizenAsync(id, CancellationToken.None));
        Assert.True(await Store.PingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Audit_AppendedRowsReadBackInOrder_AndNoRowCanBeChangedOrDeleted()
    {
        var citizen = new string('a', 32);
        await Store.AppendAuditAsync(
            [new AuditEntry(0, At, "contact-centre", "agent", "read", citizen, "bill query", ["given_names", "address"]),
             new AuditEntry(0, At.AddMinutes(1), "contact-centre", "agent", "search", citizen, "bill query", [])],
            CancellationToken.None);

        var rows = (await Store.QueryAuditAsync(new AuditQuery(10) { CitizenId = citizen }, CancellationToken.None)).Entries;

        Assert.Equal(["read", "search"], rows.Select(r => r.Action));
        Assert.Equal(["given_names", "address"], rows[0].Fields);
        Assert.Empty(rows[1].Fields);
        var update = await Assert.ThrowsAnyAsync<DbException>(() => ExecuteRawAsync("UPDATE audit_log SET purpose = 'rewritten';"));
        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        var delete = await Assert.ThrowsAnyAsync<DbException>(() => ExecuteRawAsync("DELETE FROM audit_log;"));
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await Store.QueryAuditAsync(new AuditQuery(10) { CitizenId = citizen }, CancellationToken.None)).Entries.Count);
    }

    [Fact]
    public async Task Audit_ManyAppendedAtOnce_EveryRowIsThereOnceEachCallerIsToldItIs()
    {
        var citizen = new string('c', 32);
        var appends = Enumerable.Range(0, 40).Select(i => Store.AppendAuditAsync(
            [new AuditEntry(0, At.AddSeconds(i), "contact-centre", "agent", "read", citizen, $"call {i}", ["given_names"])],
            CancellationToken.None));

        await Task.WhenAll(appends);

        var rows = (await Store.QueryAuditAsync(new AuditQuery(100) { CitizenId = citizen }, CancellationToken.None)).Entries;
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"call {i}").Order(StringComparer.Ordinal), rows.Select(r => r.Purpose).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task QueryAudit_EachCriterion_FindsOnlyTheRowsMeetingIt_AndTogetherEvery()
    {
        var ann = new string('a', 32);
        var bob = new string('b', 32);
        await Store.AppendAuditAsync(
            [new AuditEntry(0, At, "contact-centre", "agent", "read", ann, "bill", []),
             new AuditEntry(0, At.AddHours(1), "contact-centre", "agent", "search", bob, "bill", []),
             new AuditEntry(0, At.AddHours(2), "housing-office", "agent", "read", bob, "repair", []),
             new AuditEntry(0, At.AddHours(3), "contact-centre", "agent", "read", bob, "bill", [])],
            CancellationToken.None);

        async Task<IReadOnlyList<string?>> RowsAsync(AuditQuery query) =>
            [.. (await Store.QueryAuditAsync(query, CancellationToken.None)).Entries.Select(e => $"{e.Caller}/{e.Action}/{e.CitizenId?[0]}@{e.At.Hour - At.Hour}")];

        Assert.Equal(["housing-office/read/b@2"], await RowsAsync(new AuditQuery(10) { Caller = "housing-office" }));
        Assert.Equal(["contact-centre/search/b@1"], await RowsAsync(new AuditQuery(10) { Action = "search" }));
        Assert.Equal(["contact-centre/read/a@0"], await RowsAsync(new AuditQuery(10) { CitizenId = ann }));
        // From is inclusive, to exclusive: consecutive ranges neither miss nor repeat a row.
        Assert.Equal(["contact-centre/search/b@1", "housing-office/read/b@2"], await RowsAsync(new AuditQuery(10) { From = At.AddHours(1), To = At.AddHours(3) }));
        Assert.Equal(
            ["contact-centre/read/b@3"],
            await RowsAsync(new AuditQuery(10) { Caller = "contact-centre", Action = "read", CitizenId = bob, From = At.AddHours(1) }));
        Assert.Empty(await RowsAsync(new AuditQuery(10) { Caller = "nobody" }));
    }

    [Fact]
    public async Task QueryAudit_PagesThroughEveryRow_OldestOrNewestFirst_NextNullAfterTheLast()
    {
        await Store.AppendAuditAsync(
            [.. Enumerable.Range(0, 7).Select(i => new AuditEntry(0, At.AddMinutes(i), "contact-centre", "agent", "read", new string('a', 32), $"p{i}", []))],
            CancellationToken.None);

        async Task<(List<string?> Purposes, int Pages)> ReadAllAsync(bool newestFirst)
        {
            var purposes = new List<string?>();
            var pages = 0;
            for (var query = new AuditQuery(3) { NewestFirst = newestFirst }; ;)
            {
                var page = await Store.QueryAuditAsync(query, CancellationToken.None);
                pages++;
                purposes.AddRange(page.Entries.Select(e => e.Purpose));
                if (page.Next is not { } next)
                {
                    return (purposes, pages);
                }

                query = query with { After = next };
            }
        }

        var oldest = await ReadAllAsync(newestFirst: false);
        var newest = await ReadAllAsync(newestFirst: true);

        Assert.Equal(["p0", "p1", "p2", "p3", "p4", "p5", "p6"], oldest.Purposes);
        Assert.Equal(["p6", "p5", "p4", "p3", "p2", "p1", "p0"], newest.Purposes);
        Assert.Equal((3, 3), (oldest.Pages, newest.Pages));
        // A page that ends exactly at the last row says so: no empty page to ask for.
        Assert.Null((await Store.QueryAuditAsync(new AuditQuery(7), CancellationToken.None)).Next);
    }

    [Fact]
    public async Task QueryAudit_ByCitizen_FindsRowsRecordedUnderEveryIdMergedIntoIt_ThroughMergesOfMerges()
    {
        var (survivor, absorbed, absorbedEarlier, stranger) = await InSessionAsync(async s =>
            (await s.CreateCitizenAsync(At), await s.CreateCitizenAsync(At), await s.CreateCitizenAsync(At), await s.CreateCitizenAsync(At)));
        await InSessionAsync(async s =>
        {
            await s.MergeAsync(absorbed, absorbedEarlier, At.AddMinutes(1));
            return 0;
        });
        await InSessionAsync(async s =>
        {
            await s.MergeAsync(survivor, absorbed, At.AddMinutes(2));
            return 0;
        });
        await Store.AppendAuditAsync(
            [new AuditEntry(0, At, "crm", "agent", "read", absorbedEarlier, "first", []),
             new AuditEntry(0, At, "crm", "agent", "read", absorbed, "second", []),
             new AuditEntry(0, At, "crm", "agent", "read", stranger, "someone else", []),
             new AuditEntry(0, At, "crm", "agent", "read", survivor, "third", [])],
            CancellationToken.None);

        var rows = (await Store.QueryAuditAsync(new AuditQuery(10) { CitizenId = survivor }, CancellationToken.None)).Entries;
        var ofAbsorbed = (await Store.QueryAuditAsync(new AuditQuery(10) { CitizenId = absorbedEarlier }, CancellationToken.None)).Entries;

        Assert.Equal(["first", "second", "third"], rows.Select(r => r.Purpose));
        // Forwarding runs one way: an absorbed id's rows are its own, not its survivor's.
        Assert.Equal(["first"], ofAbsorbed.Select(r => r.Purpose));
    }

    [Fact]
    public async Task Audit_Details_ReadBackAsWritten_AndNullWhereNoneWereGiven()
    {
        var criteria = new Dictionary<string, string>(StringComparer.Ordinal) { ["family"] = "O'Brien, Mcé", ["dob"] = "1950-03-04" };
        await Store.AppendAuditAsync(
            [new AuditEntry(0, At, "crm", "agent", "search-query", null, "bill", ["dob", "family"]) { Details = criteria },
             new AuditEntry(0, At, "crm", "agent", "read", new string('a', 32), "bill", [])],
            CancellationToken.None);

        var rows = (await Store.QueryAuditAsync(new AuditQuery(10), CancellationToken.None)).Entries;

        Assert.Equal(criteria, rows[0].Details);
        Assert.Null(rows[0].CitizenId);
        Assert.Null(rows[1].Details);
    }

    [Fact]
    public async Task BeginMessageAsync_SameMessageAfterCommit_ReturnsNull()
    {
        var message = new MessageIdentity(Guid.NewGuid(), MessageIdentity.RecordBatch, 1);
        await using (var first = await Store.BeginMessageAsync(message, CancellationToken.None))
        {
            Assert.NotNull(first);
            await first.CommitAsync(CancellationToken.None);
        }

        var second = await Store.BeginMessageAsync(message, CancellationToken.None);

        Assert.Null(second);
    }

    [Fact]
    public async Task BeginMessageAsync_FirstAttemptRolledBack_CanBeAppliedAgain()
    {
        var message = new MessageIdentity(Guid.NewGuid(), MessageIdentity.RecordBatch, 1);
        string abandoned;
        await using (var first = await Store.BeginMessageAsync(message, CancellationToken.None))
        {
            abandoned = await first!.CreateCitizenAsync(At);
        }

        await using var retry = await Store.BeginMessageAsync(message, CancellationToken.None);

        Assert.NotNull(retry);
        Assert.Null(await Store.GetCitizenAsync(abandoned, CancellationToken.None));
    }

    [Fact]
    public async Task FindCitizensAsync_SharedMatchKey_FindsOtherRecordsCitizenOldestFirst()
    {
        var (older, newer) = await InSessionAsync(async s =>
        {
            var a = await s.CreateCitizenAsync(At);
            var b = await s.CreateCitizenAsync(At.AddMinutes(1));
            await SaveAsync(s, b, Records.Person("ct", "2", "Ann", "Lee"), ["ni:AB123456C"]);
            await SaveAsync(s, a, Records.Person("ct", "1", "Ann", "Lee"), ["ni:AB123456C", "name:LEE|ANN|1980-01-01"]);
            return (a, b);
        });

        var found = await InSessionAsync(s => s.FindCitizensAsync(["ni:AB123456C"], "hb", "9", 10));
        var exceptSelf = await InSessionAsync(s => s.FindCitizensAsync(["name:LEE|ANN|1980-01-01"], "ct", "1", 10));

        Assert.Equal([older, newer], found);
        Assert.Empty(exceptSelf);
    }

    [Fact]
    public async Task FindCitizensAsync_KeyHeldByMoreRecordsThanTheBlockSize_IsSkipped()
    {
        await InSessionAsync(async s =>
        {
            for (var i = 0; i < 4; i++)
            {
                var c = await s.CreateCitizenAsync(At);
                await SaveAsync(s, c, Records.Person("ct", $"{i}", "Ann", "Lee"), ["phone:+441632960000", $"ni:AB12345{i}C"]);
            }

            return 0;
        });

        var bySwitchboard = await InSessionAsync(s => s.FindCitizensAsync(["phone:+441632960000"], "x", "x", 3));
        var byBoth = await InSessionAsync(s => s.FindCitizensAsync(["phone:+441632960000", "ni:AB123452C"], "x", "x", 3));

        Assert.Empty(bySwitchboard);
        Assert.Single(byBoth);
    }

    [Fact]
    public async Task FindCitizensAsync_BlockSize_CountsOthersOnlyAndIsSmallerForNameOnlyKeys()
    {
        var nameOnly = $"{BlockingKeys.NameOnlyPrefix}ANN|LEE";
        await InSessionAsync(async s =>
        {
            for (var i = 0; i <= BlockingKeys.NameOnlyMaximumBlockSize; i++)
            {
                var c = await s.CreateCitizenAsync(At);
                await SaveAsync(s, c, Records.Person("ct", $"{i}", "Ann", "Lee"), [nameOnly, i < 4 ? "phone:+441632960000" : $"ni:AB1234{i:D2}C"]);
            }

            return 0;
        });

        // Four records hold the number; asked about one of them, the other three are within a block of three.
        var fromOneOfThem = await InSessionAsync(s => s.FindCitizensAsync(["phone:+441632960000"], "ct", "0", 3));
        // One more record holds the name than a name-only block may, whatever the general limit.
        var byNameFromOutside = await InSessionAsync(s => s.FindCitizensAsync([nameOnly], "x", "x", BlockingKeys.DefaultMaximumBlockSize));
        var byNameFromInside = await InSessionAsync(s => s.FindCitizensAsync([nameOnly], "ct", "0", BlockingKeys.DefaultMaximumBlockSize));

        Assert.Equal(3, fromOneOfThem.Count);
        Assert.Empty(byNameFromOutside);
        Assert.Equal(BlockingKeys.NameOnlyMaximumBlockSize, byNameFromInside.Count);
    }

    [Fact]
    public async Task FindCitizensAsync_AfterASessionRolledBack_FindsOnlyWhatWasCommitted()
    {
        var kept = await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), ["ni:AB123456C"]);
            return c;
        });
        await using (var abandoned = (await Store.BeginMessageAsync(new MessageIdentity(Guid.NewGuid(), MessageIdentity.RecordBatch, 1), CancellationToken.None))!)
        {
            var added = await abandoned.CreateCitizenAsync(At);
            await SaveAsync(abandoned, added, Records.Person("hb", "2", "Ann", "Lee"), ["ni:AB123456C", "ni:CD123456A"]);
            await abandoned.RemoveRecordAsync("ct", "1");
            Assert.Equal([added], await abandoned.FindCitizensAsync(["ni:AB123456C"], "x", "x", 10));
        }

        var byKeptKey = await InSessionAsync(s => s.FindCitizensAsync(["ni:AB123456C"], "x", "x", 10));
        var byAbandonedKey = await InSessionAsync(s => s.FindCitizensAsync(["ni:CD123456A"], "x", "x", 10));

        Assert.Equal([kept], byKeptKey);
        Assert.Empty(byAbandonedKey);
    }

    [Fact]
    public async Task SaveRecordAsync_NewVersion_ReplacesRecordAndItsMatchKeys()
    {
        var id = await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), ["ni:AB123456C"]);
            await SaveAsync(s, c, Records.Person("ct", "1", "Anne", "Lee"), ["ni:CD123456A"]);
            return c;
        });

        var byOldKey = await InSessionAsync(s => s.FindCitizensAsync(["ni:AB123456C"], "x", "x", 10));
        var byNewKey = await InSessionAsync(s => s.FindCitizensAsync(["ni:CD123456A"], "x", "x", 10));
        var view = await Store.GetCitizenAsync(id, CancellationToken.None);

        Assert.Empty(byOldKey);
        Assert.Equal([id], byNewKey);
        Assert.Equal("Anne", Assert.Single(view!.SourceRecords).Record.Name!.GivenNames);
    }

    [Fact]
    public async Task SaveRecordAsync_NewVersionOfAHeldRecord_TakesItsOldIdentifierOutOfSearch()
    {
        var id = await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), ["ni:AB123456C"]);
            return c;
        });
        await InSessionAsync(async s =>
        {
            await SaveAsync(s, id, Records.Person("ct", "1", "Ann", "Lee"), ["ni:CD123456A"]);
            await SaveAsync(s, id, Records.Person("ct", "2", "Ann", "Lee"), ["ni:EF123456B"]);
            return 0;
        });

        Assert.Empty(await SearchAsync("ni:AB123456C"));
        Assert.Equal([id], await SearchAsync("ni:CD123456A"));
        Assert.Equal([id], await SearchAsync("ni:EF123456B"));

        async Task<IEnumerable<string>> SearchAsync(string identifier) =>
            (await Store.SearchAsync(new CitizenSearch(null, null, null, null) { IdentifierKeys = [identifier] }, 10, CancellationToken.None)).Select(c => c.CitizenId);
    }

    [Fact]
    public async Task SearchAsync_ByANamedSchemesIdentifier_FindsTheRecordSavedWithIt_AndARecordHeldBeforeTheyWereKept_OnceMigrated()
    {
        var (lee, ray) = await InSessionAsync(async s =>
        {
            var a = await s.CreateCitizenAsync(At);
            var b = await s.CreateCitizenAsync(At);
            await SaveWithItsKeysAsync(s, a, Records.Person("ct", "1", "Ann", "Lee") with { Identifiers = [Identifier.OfScheme("council-tax-account", "ct 0001")] });
            await SaveWithItsKeysAsync(s, b, Records.Person("hb", "7", "Bob", "Ray") with { Identifiers = [Identifier.OfScheme("housing-reference", "H7")] });
            return (a, b);
        });
        // Removed after the migration listed it: nothing is left to find it by, and the migration passes over it.
        await InSessionAsync(async s =>
        {
            await SaveWithItsKeysAsync(s, await s.CreateCitizenAsync(At), Records.Person("ct", "2", "Cy", "Fox") with { Identifiers = [Identifier.OfScheme("council-tax-account", "CT0002")] });
            return 0;
        });

        var saved = await FoundAsync("council-tax-account", "CT0001");
        await ExecuteRawAsync(BeforeSchemeKeysWereKept);
        var before = await FoundAsync("council-tax-account", "CT0001");
        await InSessionAsync(async s =>
        {
            await s.RemoveRecordAsync("ct", "2");
            return 0;
        });
        await Store.MigrateAsync(CancellationToken.None);
        await Store.MigrateAsync(CancellationToken.None);

        Assert.Equal([lee], saved);
        Assert.Empty(before);
        Assert.Equal([lee], await FoundAsync("council-tax-account", "CT0001"));
        Assert.Equal([ray], await FoundAsync("housing-reference", "H7"));
        Assert.Empty(await FoundAsync("housing-reference", "CT0001"));
        Assert.Empty(await FoundAsync("council-tax-account", "CT0002"));

        async Task<List<string>> FoundAsync(string scheme, string value) =>
            [.. (await Store.SearchAsync(
                new CitizenSearch(null, null, null, null) { IdentifierKeys = [BlockingKeys.OfSchemeIdentifier(RecordNormaliser.SchemeIdentifier(scheme, value)!)] },
                10,
                CancellationToken.None)).Select(c => c.CitizenId)];
    }

    [Fact]
    public async Task MergeAsync_MovesLinksAndForwardsAbsorbedId()
    {
        var (survivor, absorbed, earlier) = await InSessionAsync(async s =>
        {
            var a = await s.CreateCitizenAsync(At);
            var b = await s.CreateCitizenAsync(At);
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, a, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, b, Records.Person("hb", "7", "Ann", "Lee"), []);
            // c was merged into b earlier: its forward must follow b to a.
            await s.MergeAsync(b, c, At);
            await s.MergeAsync(a, b, At);
            return (a, b, c);
        });

        var survivorView = await Store.GetCitizenAsync(survivor, CancellationToken.None);
        var absorbedView = await Store.GetCitizenAsync(absorbed, CancellationToken.None);
        var earlierView = await Store.GetCitizenAsync(earlier, CancellationToken.None);

        Assert.Equal(["ct", "hb"], survivorView!.SourceRecords.Select(r => r.SourceSystem));
        Assert.Equal(CitizenStatus.Merged, absorbedView!.Status);
        Assert.Equal(survivor, absorbedView.MergedInto);
        Assert.Empty(absorbedView.SourceRecords);
        Assert.Equal(survivor, earlierView!.MergedInto);
    }

    [Fact]
    public async Task SetGoldenRecordAsync_ReportsOnlyChangedFieldsAndBumpsVersionOnChange()
    {
        var id = await InSessionAsync(s => s.CreateCitizenAsync(At));
        GoldenField[] first = [Field("family_name", "Lee"), Field("given_names", "Ann")];
        GoldenField[] second = [Field("family_name", "Lee"), Field("given_names", "Anne")];

        var created = await InSessionAsync(s => s.SetGoldenRecordAsync(id, first, At));
        var same = await InSessionAsync(s => s.SetGoldenRecordAsync(id, first, At));
        var changed = await InSessionAsync(s => s.SetGoldenRecordAsync(id, second, At));
        var view = await Store.GetCitizenAsync(id, CancellationToken.None);

        Assert.Equal(["family_name", "given_names"], created.ChangedFields);
        Assert.Empty(same.ChangedFields);
        Assert.Equal(created.Version, same.Version);
        Assert.Equal(["given_names"], changed.ChangedFields);
        Assert.Equal(created.Version + 1, changed.Version);
        Assert.Equal("Anne", view!.Fields.Single(f => f.Field == "given_names").Value);
        Assert.Equal("ct", view.Fields.Single(f => f.Field == "given_names").SourceSystem);
    }

    [Fact]
    public async Task SetGoldenRecordAsync_InALaterSession_VersionsFromWhatIsStoredAndReportsOnlyWhatChanged()
    {
        var annLee = Records.Person("ct", "1", "Ann", "Lee", dob: (1980, 1, 1));
        var id = await InSessionAsync(async s =>
        {
            var id = await s.CreateCitizenAsync(At);
            await SaveWithItsKeysAsync(s, id, annLee);
            return id;
        });
        var created = await InSessionAsync(s => s.SetGoldenRecordAsync(id, [Field("family_name", "Lee"), Field("given_names", "Ann")], At));

        // The same person from another source: the citizen is its candidate, read before any record is resolved.
        var changed = await InSessionAsync(async s =>
        {
            return await s.SetGoldenRecordAsync(id, [Field("family_name", "Lee")], At);
        });

        Assert.Equal(created.Version + 1, changed.Version);
        Assert.Equal(["given_names"], changed.ChangedFields);
        Assert.Equal(["family_name"], (await Store.GetCitizenAsync(id, CancellationToken.None))!.Fields.Select(f => f.Field));
    }

    [Fact]
    public async Task SetGoldenRecordAsync_FieldGoneAndLineageMoved_StoresExactlyTheNewFields()
    {
        var id = await InSessionAsync(s => s.CreateCitizenAsync(At));
        GoldenField[] first = [Field("date_of_birth", "1980-01-02"), Field("family_name", "Lee"), Field("given_names", "Ann")];
        // The same family name now shown from another record (lineage only), the date of birth gone, a postcode new.
        GoldenField[] second =
        [
            new("family_name", "Lee", "hb", "7", At.AddDays(1)),
            Field("given_names", "Ann"),
            Field("postcode", "ST16 2AB"),
        ];

        var created = await InSessionAsync(s => s.SetGoldenRecordAsync(id, first, At));
        var rebuilt = await InSessionAsync(s => s.SetGoldenRecordAsync(id, second, At));
        var view = await Store.GetCitizenAsync(id, CancellationToken.None);

        Assert.Equal(["date_of_birth", "postcode"], rebuilt.ChangedFields);
        Assert.Equal(created.Version + 1, rebuilt.Version);
        Assert.Equal(
            second.OrderBy(f => f.Field, StringComparer.Ordinal),
            view!.Fields.OrderBy(f => f.Field, StringComparer.Ordinal));
    }

    [Fact]
    public async Task SetGoldenRecordAsync_NoFields_MarksCitizenRemoved()
    {
        var id = await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await s.SetGoldenRecordAsync(c, [Field("family_name", "Lee")], At);
            return c;
        });

        await InSessionAsync(s => s.SetGoldenRecordAsync(id, [], At));

        var view = await Store.GetCitizenAsync(id, CancellationToken.None);
        Assert.Equal(CitizenStatus.Removed, view!.Status);
        Assert.Empty(view.Fields);
    }

    [Fact]
    public async Task SearchAsync_MatchesAnyLinkedRecordOnEveryCriterionAndSkipsInactive()
    {
        var (lee, other) = await InSessionAsync(async s =>
        {
            var a = await s.CreateCitizenAsync(At);
            var b = await s.CreateCitizenAsync(At);
            var gone = await s.CreateCitizenAsync(At);
            await SaveAsync(s, a, Records.Person("ct", "1", "Ann", "Lee", (1980, 1, 2), postcode: "ST16 2AB"), []);
            await SaveAsync(s, a, Records.Person("hb", "1", "Ann", "Smith", (1980, 1, 2)), []);
            await SaveAsync(s, b, Records.Person("ct", "2", "Bob", "Lee", (1955, 5, 5), postcode: "ST16 2AB"), []);
            await SaveAsync(s, gone, Records.Person("ct", "3", "Ann", "Lee", (1980, 1, 2)), []);
            await s.MergeAsync(a, gone, At);
            return (a, b);
        });

        var byMarriedName = await Store.SearchAsync(new CitizenSearch("SMITH", null, null, null), 10, CancellationToken.None);
        var byPostcode = await Store.SearchAsync(new CitizenSearch(null, null, null, "ST16 2AB"), 10, CancellationToken.None);
        var byAll = await Store.SearchAsync(new CitizenSearch("LEE", "ANN", "1980-01-02", "ST16 2AB"), 10, CancellationToken.None);
        var limited = await Store.SearchAsync(new CitizenSearch("LEE", null, null, null), 1, CancellationToken.None);
        var none = await Store.SearchAsync(new CitizenSearch("LEE", "ANN", "1955-05-05", null), 10, CancellationToken.None);

        Assert.Equal([lee], byMarriedName.Select(c => c.CitizenId));
        Assert.Equal([lee, other], byPostcode.Select(c => c.CitizenId));
        Assert.Equal([lee], byAll.Select(c => c.CitizenId));
        Assert.Single(limited);
        Assert.Empty(none);
    }

    [Fact]
    public async Task ReadLinksAsync_ListsEveryRecordByCitizen()
    {
        var (a, b) = await InSessionAsync(async s =>
        {
            var x = await s.CreateCitizenAsync(At);
            var y = await s.CreateCitizenAsync(At);
            await SaveAsync(s, x, Records.Person("hb", "9", "Ann", "Lee"), []);
            await SaveAsync(s, x, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, y, Records.Person("ct", "2", "Bob", "Lee"), []);
            return (x, y);
        });

        var links = new List<CitizenLink>();
        await foreach (var link in Store.ReadLinksAsync(CancellationToken.None))
        {
            links.Add(link);
        }

        var expected = new[] { new CitizenLink(a, "ct", "1"), new CitizenLink(a, "hb", "9"), new CitizenLink(b, "ct", "2") }
            .OrderBy(l => l.CitizenId, StringComparer.Ordinal).ThenBy(l => l.SourceSystem, StringComparer.Ordinal);
        Assert.Equal(expected, links);
    }

    [Fact]
    public async Task GetRunAsync_CountsAppliedAndFailedAgainstExpected()
    {
        var runId = Guid.NewGuid();
        await Store.RecordRunStartedAsync(new SyncRunStarted(runId, "ct", At), CancellationToken.None);
        var beforeCompletion = await Store.GetRunAsync(runId, CancellationToken.None);
        await Store.RecordRunCompletedAsync(new SyncRunCompleted(runId, "ct", At, 3, 1200, 4), CancellationToken.None);
        await using (var session = await Store.BeginMessageAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 1), CancellationToken.None))
        {
            await session!.CommitAsync(CancellationToken.None);
        }

        await Store.RecordMessageFailedAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 2), "TimeoutException", null, At, CancellationToken.None);
        var partway = await Store.GetRunAsync(runId, CancellationToken.None);
        await using (var session = await Store.BeginMessageAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 3), CancellationToken.None))
        {
            await session!.CommitAsync(CancellationToken.None);
        }

        var finished = await Store.GetRunAsync(runId, CancellationToken.None);

        Assert.False(beforeCompletion!.IsFinished);
        Assert.Null(beforeCompletion.ExpectedMessages);
        Assert.False(partway!.IsFinished);
        Assert.Equal((3, 2, 1, "TimeoutException"), (finished!.ExpectedMessages, finished.AppliedMessages, finished.FailedMessages, finished.LastFailure));
        Assert.True(finished.IsFinished);
    }

    [Fact]
    public async Task GetRunAsync_SumsTheTalliesOfItsAppliedMessages_AndNotOfARolledBackOne()
    {
        var runId = Guid.NewGuid();
        await Store.RecordRunStartedAsync(new SyncRunStarted(runId, "ct", At), CancellationToken.None);
        await TallyAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 1), new RunTally(Unchanged: 5, Added: 3, CitizensCreated: 2, Linked: 1, Reviews: 1), commit: true);
        await TallyAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 2), new RunTally(Updated: 4, Linked: 4, Merged: 1, Split: 2), commit: true);
        await TallyAsync(new MessageIdentity(runId, MessageIdentity.Removal, 1), new RunTally(Removed: 7), commit: true);
        await TallyAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 3), new RunTally(Added: 100), commit: false);
        await TallyAsync(new MessageIdentity(Guid.NewGuid(), MessageIdentity.RecordBatch, 1), new RunTally(Added: 50), commit: true);

        var run = await Store.GetRunAsync(runId, CancellationToken.None);

        Assert.Equal(new RunTally(Unchanged: 5, Added: 3, Updated: 4, Removed: 7, CitizensCreated: 2, Linked: 5, Merged: 1, Split: 2, Reviews: 1), run!.Tally);
        Assert.Equal(3, run.AppliedMessages);
        Assert.Equal(14, run.Tally.Applied);
    }

    [Fact]
    public async Task GetRunHistoryAsync_NewestFirst_OfOneSourceOrAll_WithStatusTallyAndWhenTheLastMessageWasApplied()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var refused = Guid.NewGuid();
        var other = Guid.NewGuid();
        await Store.RecordRunStartedAsync(new SyncRunStarted(first, "ct", At), CancellationToken.None);
        await Store.RecordRunCompletedAsync(new SyncRunCompleted(first, "ct", At.AddMinutes(1), 1, 10, 2), CancellationToken.None);
        await TallyAsync(new MessageIdentity(first, MessageIdentity.RecordBatch, 1), new RunTally(Added: 10, CitizensCreated: 10), commit: true);
        await Store.RecordRunStartedAsync(new SyncRunStarted(second, "ct", At.AddDays(1)), CancellationToken.None);
        await Store.RecordRunStartedAsync(new SyncRunStarted(refused, "ct", At.AddDays(2)), CancellationToken.None);
        await Store.RecordRunCompletedAsync(new SyncRunCompleted(refused, "ct", At.AddDays(2), 0, 10, 0, "too many removals", true), CancellationToken.None);
        await Store.RecordRunStartedAsync(new SyncRunStarted(other, "hb", At.AddHours(12)), CancellationToken.None);

        var ct = await Store.GetRunHistoryAsync("ct", 10, CancellationToken.None);
        var latestTwo = await Store.GetRunHistoryAsync(null, 2, CancellationToken.None);
        var all = await Store.GetRunHistoryAsync(null, 10, CancellationToken.None);

        Assert.Equal([refused, second, first], ct.Select(r => r.RunId));
        Assert.Equal(["Refused", "Running", "Completed"], ct.Select(r => r.Status));
        Assert.Equal("too many removals", ct[0].Failure);
        var completed = ct[2];
        Assert.Equal((At, At.AddMinutes(1), 10, 2), (completed.StartedAt, completed.CompletedAt, completed.Records, completed.Rejects));
        Assert.Equal(new RunTally(Added: 10, CitizensCreated: 10), completed.Tally);
        Assert.NotNull(completed.LastAppliedAt);
        Assert.Null(ct[1].LastAppliedAt);
        Assert.Equal([refused, second], latestTwo.Select(r => r.RunId));
        Assert.Equal([refused, second, other, first], all.Select(r => r.RunId));
    }

    [Fact]
    public async Task GetRunAsync_AppliedThrough_IsTheLastBatchUpToWhichEveryBatchIsApplied()
    {
        var runId = Guid.NewGuid();
        await Store.RecordRunStartedAsync(new SyncRunStarted(runId, "ct", At), CancellationToken.None);
        var none = (await Store.GetRunAsync(runId, CancellationToken.None))!.AppliedThrough;
        await TallyAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 2), RunTally.None, commit: true);
        var withoutTheFirst = (await Store.GetRunAsync(runId, CancellationToken.None))!.AppliedThrough;
        await TallyAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 1), RunTally.None, commit: true);
        await TallyAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 4), RunTally.None, commit: true);
        await TallyAsync(new MessageIdentity(runId, MessageIdentity.Removal, 3), RunTally.None, commit: true);
        var withAGap = (await Store.GetRunAsync(runId, CancellationToken.None))!.AppliedThrough;
        await TallyAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 3), RunTally.None, commit: true);
        var all = (await Store.GetRunAsync(runId, CancellationToken.None))!.AppliedThrough;

        Assert.Equal((0, 0, 2, 4), (none, withoutTheFirst, withAGap, all));
    }

    [Fact]
    public async Task SyncLock_OneHolderAtATime_FreedByItsRelease_ItsLeaseRunningOut_OrByNamingItAsReplaced()
    {
        var first = Holder("ct", At, TimeSpan.FromMinutes(2));
        var second = Holder("ct", At.AddMinutes(1), TimeSpan.FromMinutes(2));

        var takenFree = await Store.TakeSyncLockAsync(first, null, CancellationToken.None);
        var refused = await Store.TakeSyncLockAsync(second, null, CancellationToken.None);
        var otherSource = await Store.TakeSyncLockAsync(Holder("hb", At, TimeSpan.FromMinutes(2)), null, CancellationToken.None);
        var renewedByHolder = await Store.RenewSyncLockAsync("ct", first.RunId, At.AddMinutes(10), CancellationToken.None);
        var renewedByOther = await Store.RenewSyncLockAsync("ct", second.RunId, At.AddMinutes(10), CancellationToken.None);
        var stillRefused = await Store.TakeSyncLockAsync(second with { Since = At.AddMinutes(5) }, null, CancellationToken.None);
        var afterItsLease = await Store.TakeSyncLockAsync(second with { Since = At.AddMinutes(11), LeaseUntil = At.AddMinutes(13) }, null, CancellationToken.None);
        var third = Holder("ct", At.AddMinutes(12), TimeSpan.FromMinutes(2));
        var replacing = await Store.TakeSyncLockAsync(third, second.RunId, CancellationToken.None);
        await Store.ReleaseSyncLockAsync("ct", second.RunId, CancellationToken.None);
        var releasedByANonHolder = await Store.TakeSyncLockAsync(Holder("ct", At.AddMinutes(12), TimeSpan.FromMinutes(2)), null, CancellationToken.None);
        await Store.ReleaseSyncLockAsync("ct", third.RunId, CancellationToken.None);
        var afterRelease = await Store.TakeSyncLockAsync(Holder("ct", At.AddMinutes(12), TimeSpan.FromMinutes(2)), null, CancellationToken.None);

        Assert.Null(takenFree);
        Assert.Equal(first, refused);
        Assert.Null(otherSource);
        Assert.True(renewedByHolder);
        Assert.False(renewedByOther);
        Assert.Equal((first.RunId, At.AddMinutes(10)), (stillRefused!.RunId, stillRefused.LeaseUntil));
        Assert.Null(afterItsLease);
        Assert.Null(replacing);
        Assert.Equal(third.RunId, releasedByANonHolder!.RunId);
        Assert.Null(afterRelease);
    }

    private static SyncLockHolder Holder(string source, DateTimeOffset since, TimeSpan lease) =>
        new(source, Guid.NewGuid(), "hub-1", 4242, At.AddHours(-1), since, since + lease);

    private async Task TallyAsync(MessageIdentity message, RunTally tally, bool commit)
    {
        await using var session = (await Store.BeginMessageAsync(message, CancellationToken.None))!;
        await session.RecordTallyAsync(message, tally);
        if (commit)
        {
            await session.CommitAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task GetRunAsync_UnknownRun_ReturnsNull() =>
        Assert.Null(await Store.GetRunAsync(Guid.NewGuid(), CancellationToken.None));

    [Fact]
    public async Task GetRunAsync_SameMessageFailedTwice_CountsOnceWithTheLatestReason()
    {
        var runId = Guid.NewGuid();
        var message = new MessageIdentity(runId, MessageIdentity.RecordBatch, 1);
        await Store.RecordRunStartedAsync(new SyncRunStarted(runId, "ct", At), CancellationToken.None);
        await Store.RecordMessageFailedAsync(message, "TimeoutException", null, At, CancellationToken.None);
        await Store.RecordMessageFailedAsync(message, "InvalidDataException", null, At.AddMinutes(1), CancellationToken.None);

        var run = await Store.GetRunAsync(runId, CancellationToken.None);

        Assert.Equal((1, "InvalidDataException"), (run!.FailedMessages, run.LastFailure));
    }

    [Fact]
    public async Task SaveCursorAsync_SavedTwice_ReadsTheLatestAndNullBeforeAny()
    {
        var never = await Store.GetCursorAsync("ct", CancellationToken.None);
        await Store.SaveCursorAsync("ct", "2026-11-01", Guid.NewGuid(), At, CancellationToken.None);
        await Store.SaveCursorAsync("ct", "2026-11-02", Guid.NewGuid(), At, CancellationToken.None);
        await Store.SaveCursorAsync("hb", null, Guid.NewGuid(), At, CancellationToken.None);

        Assert.Null(never);
        Assert.Equal("2026-11-02", await Store.GetCursorAsync("ct", CancellationToken.None));
        Assert.Null(await Store.GetCursorAsync("hb", CancellationToken.None));
    }

    [Fact]
    public async Task GetSourcesAsync_CountsRecordsAndReportsEachSourcesLatestRun()
    {
        await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("ct", "2", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("hb", "1", "Ann", "Lee"), []);
            return c;
        });
        var older = Guid.NewGuid();
        var latest = Guid.NewGuid();
        await Store.RecordRunStartedAsync(new SyncRunStarted(older, "ct", At), CancellationToken.None);
        await Store.RecordRunCompletedAsync(new SyncRunCompleted(older, "ct", At, 1, 2, 0), CancellationToken.None);
        await Store.RecordRunStartedAsync(new SyncRunStarted(latest, "ct", At.AddHours(1)), CancellationToken.None);
        var failedRun = Guid.NewGuid();
        await Store.RecordRunStartedAsync(new SyncRunStarted(failedRun, "er", At), CancellationToken.None);
        await Store.RecordMessageFailedAsync(new MessageIdentity(failedRun, MessageIdentity.RecordBatch, 1), "TimeoutException", null, At, CancellationToken.None);

        var sources = await Store.GetSourcesAsync(CancellationToken.None);

        Assert.Equal(["ct", "er", "hb"], sources.Select(s => s.SourceSystem));
        Assert.Equal((2L, latest, "Running"), (sources[0].RecordsHeld, sources[0].LastRunId, sources[0].LastRunStatus));
        Assert.Equal((0L, "Failed"), (sources[1].RecordsHeld, sources[1].LastRunStatus));
        Assert.Equal((1L, null), (sources[2].RecordsHeld, sources[2].LastRunId));
    }

    [Fact]
    public async Task ReadSourceKeysAsync_ListsOnlyThatSourcesKeys()
    {
        await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("ct", "2", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("hb", "3", "Ann", "Lee"), []);
            return c;
        });

        var keys = new List<string>();
        await foreach (var key in Store.ReadSourceKeysAsync("ct", CancellationToken.None))
        {
            keys.Add(key);
        }

        Assert.Equal(["1", "2"], keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadSourceContentHashesAsync_GivesEachOfThatSourcesRecordsWithTheDigestItWasSavedWith()
    {
        await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            var ann = Records.Person("ct", "1", "Ann", "Lee");
            var bob = Records.Person("ct", "2", "Bob", "Lee");
            await s.SaveRecordAsync(c, ann, RecordNormaliser.Normalise(ann), IdentityEngine.ContentHash(ann), [], null, At);
            await s.SaveRecordAsync(c, bob, RecordNormaliser.Normalise(bob), IdentityEngine.ContentHash(bob), [], null, At);
            await SaveAsync(s, c, Records.Person("hb", "1", "Ann", "Lee"), []);
            return c;
        });

        var held = await DigestsHeldAsync(Store, "ct");

        Assert.Equal(
            [("1", IdentityEngine.ContentHash(Records.Person("ct", "1", "Ann", "Lee"))), ("2", IdentityEngine.ContentHash(Records.Person("ct", "2", "Bob", "Lee")))],
            held.Order());
    }

    [Fact]
    public async Task ReadLinksAsync_OrdersKeysOrdinally_UpperCaseBeforeLower()
    {
        await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "a1", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("ct", "B2", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("ct", "_3", "Ann", "Lee"), []);
            return c;
        });

        var keys = new List<string>();
        await foreach (var link in Store.ReadLinksAsync(CancellationToken.None))
        {
            keys.Add(link.SourceKey);
        }

        // The order .NET's ordinal comparison gives, whatever the database's collation would say.
        Assert.Equal(["B2", "_3", "a1"], keys);
    }

    [Fact]
    public async Task GetSourceRecordAsync_KeepsObservedTimeToTheTickAndTheWholeRecord()
    {
        var observed = new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
        var record = Records.Person("ct", "1", "Ann", "Lee", (1980, 1, 2), ni: "AB123456C", postcode: "ST16 2AB", observedAt: observed);
        var id = await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, record, []);
            return c;
        });

        var held = await Store.GetSourceRecordAsync("ct", "1", CancellationToken.None);
        var found = await InSessionAsync(s => s.FindRecordAsync("ct", "1"));

        Assert.Equal((id, observed, At, false), (held!.CitizenId, held.ObservedAt, held.LinkedAt, held.CitizenRestricted));
        Assert.Equal(observed, found!.ObservedAt);
        Assert.Equal(IdentityEngine.ContentHash(record), found.ContentHash);
        Assert.Equal("ST16 2AB", held.Record.Addresses.Single().Postcode);
        Assert.Null(await Store.GetSourceRecordAsync("ct", "2", CancellationToken.None));
        Assert.Null(await InSessionAsync(s => s.FindRecordAsync("ct", "2")));
    }

    [Fact]
    public async Task GetLinkedRecordsAsync_AfterSavesMovesAndFinds_InTheSessionEqualsWhatIsStored()
    {
        // The session keeps what it has read and updates it as it writes; this checks that against a fresh read.
        var (mine, other, seen) = await InSessionAsync(async s =>
        {
            var a = await s.CreateCitizenAsync(At);
            var b = await s.CreateCitizenAsync(At);
            await SaveAsync(s, a, Records.Person("ct", "2", "Ann", "Lee"), ["ni:AB123456C"]);
            await SaveAsync(s, b, Records.Person("hb", "1", "Bob", "Lee"), ["ni:AB123456C"]);
            await s.FindCitizensAsync(["ni:AB123456C"], "x", "x", 10);
            await s.GetLinkedRecordsAsync(a);
            // Into a citizen already read: a new record sorting first, then the same record saved again, changed.
            await SaveAsync(s, a, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, a, Records.Person("ct", "2", "Anne", "Lee"), []);
            // A record moving from one citizen read to another.
            await SaveAsync(s, a, Records.Person("hb", "1", "Bob", "Lee"), []);
            return (a, b, (A: await s.GetLinkedRecordsAsync(a), B: await s.GetLinkedRecordsAsync(b)));
        });

        var stored = await InSessionAsync(async s => (A: await s.GetLinkedRecordsAsync(mine), B: await s.GetLinkedRecordsAsync(other)));

        Assert.Equal(["ct/1", "ct/2", "hb/1"], seen.A.Select(r => $"{r.SourceSystem}/{r.SourceKey}"));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(stored.A), System.Text.Json.JsonSerializer.Serialize(seen.A));
        Assert.Equal(stored.A[1].GivenKey, seen.A[1].GivenKey);
        Assert.NotEqual(stored.A[0].GivenKey, seen.A[1].GivenKey);
        Assert.Empty(seen.B);
        Assert.Empty(stored.B);
    }

    [Fact]
    public async Task GetLinkEvidenceAsync_ReturnsTheEvidenceSavedWithTheRecord()
    {
        var evidence = Evidence(new string('c', 32), "ct", "1", 21.5);
        await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            var record = Records.Person("hb", "1", "Ann", "Lee");
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), []);
            await s.SaveRecordAsync(c, record, RecordNormaliser.Normalise(record), IdentityEngine.ContentHash(record), [], evidence, At);
            return c;
        });

        var linked = await Store.GetLinkEvidenceAsync("hb", "1", CancellationToken.None);

        Assert.Equal((evidence.CitizenId, "ct", "1", 21.5), (linked!.CitizenId, linked.SourceSystem, linked.SourceKey, linked.Explanation.Weight));
        Assert.Equal(evidence.Explanation.Fields, linked.Explanation.Fields);
        Assert.Null(await Store.GetLinkEvidenceAsync("ct", "1", CancellationToken.None));
    }

    [Fact]
    public async Task GetTermFrequenciesAsync_CountsNamesAndRecords_AndRemovalLowersThem()
    {
        await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("ct", "2", "Bob", "Lee"), []);
            await SaveAsync(s, c, Records.Person("ct", "3", "Ann", "Smith"), []);
            // A new version of a held record is not another record.
            await SaveAsync(s, c, Records.Person("ct", "3", "Ann", "Smith"), []);
            return c;
        });
        var ann = RecordNormaliser.Normalise(Records.Person("x", "x", "Ann", "Lee"));

        var before = await InSessionAsync(s => s.GetTermFrequenciesAsync([ann]));
        await InSessionAsync(async s =>
        {
            await s.RemoveRecordAsync("ct", "1");
            return 0;
        });
        var after = await InSessionAsync(s => s.GetTermFrequenciesAsync([ann]));

        Assert.Equal((3L, 2L, 2L), (before.Total, before.FamilyCount(ann.FamilyKey!), before.GivenCount(ann.GivenKey!)));
        Assert.Equal(0, before.FamilyCount("NOBODY"));
        Assert.Equal((1L, 1L), (after.FamilyCount(ann.FamilyKey!), after.GivenCount(ann.GivenKey!)));
        Assert.True(after.Total is >= 2 and < 3 + 1, $"Total {after.Total}");
    }

    [Fact]
    public async Task GetTermFrequenciesAsync_ARecordWhoseNameChanged_CountsUnderItsNewName()
    {
        var (_, lee, married) = await AnnLeeTwiceAsync();

        // A marriage: the same record, a new family name (and a new spelling of the given name).
        var afterMarriage = await InSessionAsync(async s =>
        {
            var c = (await s.FindRecordAsync("ct", "2"))!.CitizenId;
            await SaveAsync(s, c, Records.Person("ct", "2", "Anne", "Hughes"), []);
            return await s.GetTermFrequenciesAsync([lee, married]);
        });

        Assert.Equal((1L, 1L), (afterMarriage.FamilyCount(lee.FamilyKey!), afterMarriage.GivenCount(lee.GivenKey!)));
        Assert.Equal((1L, 1L), (afterMarriage.FamilyCount(married.FamilyKey!), afterMarriage.GivenCount(married.GivenKey!)));
    }

    [Fact]
    public async Task GetTermFrequenciesAsync_InTheSessionThatSavesAndRemoves_CountsAsTheStoreWill()
    {
        var (c, lee, married) = await AnnLeeTwiceAsync();

        var (before, after, afterUnasked) = await InSessionAsync(async s =>
        {
            var before = Counts(await s.GetTermFrequenciesAsync([lee, married]));
            await SaveAsync(s, c, Records.Person("ct", "2", "Anne", "Hughes"), []);
            await SaveAsync(s, c, Records.Person("ct", "3", "Ann", "Lee"), []);
            await s.RemoveRecordAsync("ct", "1");
            var after = Counts(await s.GetTermFrequenciesAsync([lee, married]));
            // A record the session was never told of nor asked about.
            await SaveAsync(s, c, Records.Person("ct", "4", "Anne", "Hughes"), []);
            return (before, after, Counts(await s.GetTermFrequenciesAsync([lee, married])));
        });
        var stored = Counts(await InSessionAsync(s => s.GetTermFrequenciesAsync([lee, married])));

        Assert.Equal((2L, 2L, 0L, 0L), before);
        Assert.Equal((1L, 1L, 1L, 1L), after);
        Assert.Equal((1L, 1L, 2L, 2L), afterUnasked);
        Assert.Equal(afterUnasked, stored);

        (long, long, long, long) Counts(ITermFrequencies f) =>
            (f.FamilyCount(lee.FamilyKey!), f.GivenCount(lee.GivenKey!), f.FamilyCount(married.FamilyKey!), f.GivenCount(married.GivenKey!));
    }

    [Fact]
    public async Task RemoveRecordAsync_RecordAndItsKeysGo()
    {
        var id = await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), ["ni:AB123456C"]);
            await SaveAsync(s, c, Records.Person("ct", "2", "Ann", "Lee"), []);
            return c;
        });

        await InSessionAsync(async s =>
        {
            await s.RemoveRecordAsync("ct", "1");
            return 0;
        });

        Assert.Empty(await InSessionAsync(s => s.FindCitizensAsync(["ni:AB123456C"], "x", "x", 10)));
        Assert.Equal(["2"], (await Store.GetCitizenAsync(id, CancellationToken.None))!.SourceRecords.Select(r => r.SourceKey));
    }

    [Fact]
    public async Task MoveRecordAsync_RelinksTheRecordToTheOtherCitizen()
    {
        var (from, to) = await InSessionAsync(async s =>
        {
            var a = await s.CreateCitizenAsync(At);
            var b = await s.CreateCitizenAsync(At);
            await SaveAsync(s, a, Records.Person("ct", "1", "Ann", "Lee"), ["ni:AB123456C"]);
            await SaveAsync(s, a, Records.Person("ct", "2", "Bob", "Lee"), []);
            await s.MoveRecordAsync("ct", "2", b, At.AddDays(1));
            return (a, b);
        });

        var moved = await Store.GetSourceRecordAsync("ct", "2", CancellationToken.None);

        Assert.Equal((to, At.AddDays(1)), (moved!.CitizenId, moved.LinkedAt));
        Assert.Equal([from], await InSessionAsync(s => s.FindCitizensAsync(["ni:AB123456C"], "x", "x", 10)));
        Assert.Equal(["Bob"], (await InSessionAsync(s => s.GetLinkedRecordsAsync(to))).Select(r => r.GivenNames));
    }

    [Fact]
    public async Task GetHistoryAsync_ReturnsACitizensEntriesOldestFirst()
    {
        var (a, b) = await InSessionAsync(async s =>
        {
            var x = await s.CreateCitizenAsync(At);
            var y = await s.CreateCitizenAsync(At);
            await s.AddHistoryAsync(new CitizenHistoryEntry(x, HistoryCause.Created, new SourceRecordRef("ct", "1"), null, At));
            await s.AddHistoryAsync(new CitizenHistoryEntry(y, HistoryCause.Created, new SourceRecordRef("hb", "1"), null, At));
            await s.AddHistoryAsync(new CitizenHistoryEntry(x, HistoryCause.Merged, new SourceRecordRef("hb", "1"), y, At.AddMinutes(1)));
            await s.AddHistoryAsync(new CitizenHistoryEntry(x, HistoryCause.StewardDecision, null, null, At.AddMinutes(2)));
            return (x, y);
        });

        var history = await Store.GetHistoryAsync(a, CancellationToken.None);

        Assert.Equal([HistoryCause.Created, HistoryCause.Merged, HistoryCause.StewardDecision], history.Select(h => h.Cause));
        Assert.Equal((b, new SourceRecordRef("hb", "1"), At.AddMinutes(1)), (history[1].RelatedCitizenId, history[1].Record, history[1].At));
        Assert.Null(history[2].Record);
        Assert.Single(await Store.GetHistoryAsync(b, CancellationToken.None));
    }

    [Fact]
    public async Task AddReviewAsync_SamePairTwice_QueuesOnce_AndClosingAndSupersedingMoveIt()
    {
        var citizen = new string('c', 32);
        var record = new SourceRecordRef("hb", "1");
        await InSessionAsync(async s =>
        {
            await s.AddReviewAsync(record, Evidence(citizen, "ct", "1", 13), At);
            await s.AddReviewAsync(record, Evidence(citizen, "ct", "1", 13.5), At);
            await s.AddReviewAsync(record, Evidence(citizen, "ct", "2", 12), At);
            await s.AddReviewAsync(new SourceRecordRef("hb", "2"), Evidence(citizen, "er", "9", 12), At);
            return 0;
        });
        var open = await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 10), CancellationToken.None);

        await InSessionAsync(async s =>
        {
            await s.CloseReviewAsync(open[0].ReviewId, ReviewStatus.Same, At);
            // The record as a candidate: its reviews are about what it said before, too.
            await s.SupersedeReviewsAsync(new SourceRecordRef("er", "9"), At);
            return 0;
        });
        var closed = await InSessionAsync(s => s.GetReviewAsync(open[0].ReviewId));
        var missing = await InSessionAsync(s => s.GetReviewAsync(open.Max(r => r.ReviewId) + 100));

        Assert.Equal([("ct", "1"), ("ct", "2"), ("er", "9")], open.Select(r => (r.Candidate.SourceSystem, r.Candidate.SourceKey)));
        Assert.Equal((record, 13.0, At), (open[0].Record, open[0].Candidate.Explanation.Weight, open[0].CreatedAt));
        Assert.Equal(ReviewStatus.Same, closed!.Status);
        Assert.Null(missing);
        Assert.Equal([open[1].ReviewId], (await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 10), CancellationToken.None)).Select(r => r.ReviewId));
        Assert.Equal([open[2].ReviewId], (await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Superseded, 10), CancellationToken.None)).Select(r => r.ReviewId));
        Assert.Single(await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 1), CancellationToken.None));
    }

    [Fact]
    public async Task GetReviewsAsync_ByCursorSourceAgeAndHiddenSources_AndOneById()
    {
        var citizen = new string('c', 32);
        await InSessionAsync(async s =>
        {
            await s.AddReviewAsync(new SourceRecordRef("hb", "1"), Evidence(citizen, "ct", "1", 13), At.AddDays(-10));
            await s.AddReviewAsync(new SourceRecordRef("hb", "2"), Evidence(citizen, "er", "2", 12), At.AddDays(-2));
            await s.AddReviewAsync(new SourceRecordRef("sc", "3"), Evidence(citizen, "ct", "3", 12), At);
            return 0;
        });
        var all = await Store.GetReviewsAsync(new ReviewQuery(ReviewStatus.Open, 10), CancellationToken.None);
        async Task<IEnumerable<string>> Keys(ReviewQuery query) =>
            (await Store.GetReviewsAsync(query, CancellationToken.None)).Select(r => r.Record.SourceKey);

        Assert.Equal(["1", "2", "3"], all.Select(r => r.Record.SourceKey));
        Assert.Equal(["2", "3"], await Keys(new ReviewQuery(ReviewStatus.Open, 10) { After = all[0].ReviewId }));
        Assert.Equal(["2"], await Keys(new ReviewQuery(ReviewStatus.Open, 1) { After = all[0].ReviewId }));
        // A source on either side of the pair: the record's or the candidate's.
        Assert.Equal(["1", "3"], await Keys(new ReviewQuery(ReviewStatus.Open, 10) { Source = "ct" }));
        Assert.Equal(["3"], await Keys(new ReviewQuery(ReviewStatus.Open, 10) { Source = "sc" }));
        Assert.Equal(["1", "2"], await Keys(new ReviewQuery(ReviewStatus.Open, 10) { CreatedBefore = At.AddDays(-1) }));
        Assert.Equal(["2"], await Keys(new ReviewQuery(ReviewStatus.Open, 10) { HiddenSources = ["ct"] }));
        Assert.Equal(["1"], await Keys(new ReviewQuery(ReviewStatus.Open, 10) { HiddenSources = ["sc", "er"] }));
        var one = await Store.GetReviewAsync(all[1].ReviewId, CancellationToken.None);
        Assert.Equal((new SourceRecordRef("hb", "2"), "er", At.AddDays(-2)), (one!.Record, one.Candidate.SourceSystem, one.CreatedAt));
        Assert.Null(await Store.GetReviewAsync(all[^1].ReviewId + 100, CancellationToken.None));
    }

    [Fact]
    public async Task GetDeclaredAsync_FindsDecisionsEitherWayRound()
    {
        var ann = new SourceRecordRef("ct", "1");
        await InSessionAsync(async s =>
        {
            await s.AddStewardDecisionAsync(new StewardDecision(null, ann, new SourceRecordRef("hb", "1"), true, "steward", null, At));
            await s.AddStewardDecisionAsync(new StewardDecision(7, new SourceRecordRef("er", "5"), ann, false, "steward", "twins", At));
            await s.AddStewardDecisionAsync(new StewardDecision(null, new SourceRecordRef("er", "5"), new SourceRecordRef("er", "6"), false, "steward", null, At));
            return 0;
        });

        var declared = await InSessionAsync(s => s.GetDeclaredAsync(ann));
        var none = await InSessionAsync(s => s.GetDeclaredAsync(new SourceRecordRef("zz", "1")));

        Assert.Equal([new SourceRecordRef("hb", "1")], declared.Same);
        Assert.Equal([new SourceRecordRef("er", "5")], declared.Different);
        Assert.Empty(none.Same);
        Assert.Empty(none.Different);
    }

    [Fact]
    public async Task GetChangesAsync_ReadsEventsInOrderAfterTheCursor_AndHidesRestrictedCitizens()
    {
        var cause = new SourceRecordRef("ct", "1");
        var (a, b) = await InSessionAsync(async s =>
        {
            var x = await s.CreateCitizenAsync(At);
            var y = await s.CreateCitizenAsync(At);
            await s.AppendChangesAsync(
            [
                new CitizenCreated(x, 1, cause, At),
                new CitizenChanged(x, 2, ["family_name", "given_names"], cause, At.AddSeconds(1)),
                new CitizensMerged(x, y, cause, At.AddSeconds(2)),
            ]);
            return (x, y);
        });
        await InSessionAsync(async s =>
        {
            await s.AppendChangesAsync([new CitizenSplit(b, a, cause, At.AddSeconds(3)), new CitizenChanged(b, 3, [], cause, At.AddSeconds(4))]);
            return 0;
        });

        var all = await Store.GetChangesAsync(0, 100, includeRestricted: false, [], CancellationToken.None);
        var afterTwo = await Store.GetChangesAsync(all[1].Sequence, 2, includeRestricted: false, [], CancellationToken.None);
        await InSessionAsync(async s =>
        {
            await SaveAsync(s, b, Records.Person("ct", "9", "Ann", "Lee"), []);
            return await s.SetRestrictionAsync(b, restricted: true, At);
        });
        var withoutRestricted = await Store.GetChangesAsync(0, 100, includeRestricted: false, [], CancellationToken.None);
        var withRestricted = await Store.GetChangesAsync(0, 100, includeRestricted: true, [], CancellationToken.None);

        Assert.Equal(["Created", "Changed", "Merged", "Split", "Changed"], all.Select(c => c.Kind));
        Assert.Equal(all.Select(c => c.Sequence).Order(), all.Select(c => c.Sequence));
        Assert.Equal((a, (long?)2), (all[1].CitizenId, all[1].Version));
        Assert.Equal(["family_name", "given_names"], all[1].ChangedFields);
        Assert.Equal((a, b, (long?)null, At.AddSeconds(2), cause), (all[2].CitizenId, all[2].RelatedCitizenId, all[2].Version, all[2].At, all[2].Cause));
        Assert.Empty(all[4].ChangedFields);
        Assert.Equal(["Merged", "Split"], afterTwo.Select(c => c.Kind));
        // Every entry that names the restricted citizen, on either side, is hidden.
        Assert.Equal(["Created", "Changed"], withoutRestricted.Select(c => c.Kind));
        Assert.Equal(5, withRestricted.Count);
    }

    [Fact]
    public async Task SetRestrictionAsync_HidesFromSearchUnlessAsked_SaysWhetherTheStateChanged_AndLiftsAgain()
    {
        var (kept, empty) = await InSessionAsync(async s =>
        {
            var x = await s.CreateCitizenAsync(At);
            await SaveAsync(s, x, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, x, Records.Person("hb", "1", "Ann", "Lee"), []);
            return (x, await s.CreateCitizenAsync(At));
        });

        var placed = await InSessionAsync(s => s.SetRestrictionAsync(kept, restricted: true, At));
        var placedAgain = await InSessionAsync(s => s.SetRestrictionAsync(kept, restricted: true, At));
        var hidden = await Store.SearchAsync(new CitizenSearch("LEE", null, null, null), 10, CancellationToken.None);
        var shown = await Store.SearchAsync(new CitizenSearch("LEE", null, null, null, IncludeRestricted: true), 10, CancellationToken.None);
        var view = await Store.GetCitizenAsync(kept, CancellationToken.None);
        var held = await Store.GetSourceRecordAsync("hb", "1", CancellationToken.None);
        var lifted = await InSessionAsync(s => s.SetRestrictionAsync(kept, restricted: false, At));

        Assert.True(placed);
        Assert.False(placedAgain);
        Assert.Empty(hidden);
        Assert.Equal([kept], shown.Select(c => c.CitizenId));
        Assert.True(view!.Restricted);
        Assert.True(held!.CitizenRestricted);
        Assert.True(lifted);
        Assert.False((await Store.GetCitizenAsync(kept, CancellationToken.None))!.Restricted);
        Assert.Single(await Store.SearchAsync(new CitizenSearch("LEE", null, null, null), 10, CancellationToken.None));
        Assert.False(await InSessionAsync(s => s.SetRestrictionAsync(empty, restricted: true, At)));
        Assert.False((await Store.GetCitizenAsync(empty, CancellationToken.None))!.Restricted);
    }

    [Fact]
    public async Task SetRestrictionAsync_ARecordMovedOff_TakesTheRestrictionToItsNewCitizen()
    {
        var restricted = await InSessionAsync(async s =>
        {
            var x = await s.CreateCitizenAsync(At);
            await SaveAsync(s, x, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, x, Records.Person("sc", "1", "Ann", "Lee"), []);
            await s.SetRestrictionAsync(x, restricted: true, At);
            return x;
        });

        var splitOff = await InSessionAsync(async s =>
        {
            var y = await s.CreateCitizenAsync(At);
            await s.MoveRecordAsync("sc", "1", y, At);
            return y;
        });

        Assert.True((await Store.GetCitizenAsync(splitOff, CancellationToken.None))!.Restricted);
        Assert.True((await Store.GetCitizenAsync(restricted, CancellationToken.None))!.Restricted);
        Assert.Empty(await Store.SearchAsync(new CitizenSearch("LEE", null, null, null), 10, CancellationToken.None));
    }

    [Fact]
    public async Task SetRestrictionAsync_AMergeEitherWayRound_TheSurvivorIsRestricted_AndStaysSoWhenTheFirstRecordsGo()
    {
        var (restrictedSurvives, plainAbsorbed, plainSurvives, restrictedAbsorbed) = await InSessionAsync(async s =>
        {
            var a = await s.CreateCitizenAsync(At);
            var b = await s.CreateCitizenAsync(At);
            var c = await s.CreateCitizenAsync(At);
            var d = await s.CreateCitizenAsync(At);
            await SaveAsync(s, a, Records.Person("ct", "a", "Ann", "Lee"), []);
            await SaveAsync(s, b, Records.Person("hb", "b", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("ct", "c", "Bob", "Ray"), []);
            await SaveAsync(s, d, Records.Person("hb", "d", "Bob", "Ray"), []);
            await s.SetRestrictionAsync(a, restricted: true, At);
            await s.SetRestrictionAsync(d, restricted: true, At);
            return (a, b, c, d);
        });

        await InSessionAsync(async s =>
        {
            await s.MergeAsync(restrictedSurvives, plainAbsorbed, At);
            await s.MergeAsync(plainSurvives, restrictedAbsorbed, At);
            return 0;
        });
        var afterMerges = (await Store.GetCitizenAsync(restrictedSurvives, CancellationToken.None))!.Restricted
            && (await Store.GetCitizenAsync(plainSurvives, CancellationToken.None))!.Restricted;
        // The records the restriction was placed on go (their sources closed them): the person keeps it.
        await InSessionAsync(async s =>
        {
            await s.RemoveRecordAsync("ct", "a");
            await s.RemoveRecordAsync("hb", "d");
            return 0;
        });

        Assert.True(afterMerges);
        Assert.True((await Store.GetCitizenAsync(restrictedSurvives, CancellationToken.None))!.Restricted);
        Assert.True((await Store.GetCitizenAsync(plainSurvives, CancellationToken.None))!.Restricted);
        Assert.True((await Store.GetSourceRecordAsync("hb", "b", CancellationToken.None))!.CitizenRestricted);
        Assert.True((await Store.GetSourceRecordAsync("ct", "c", CancellationToken.None))!.CitizenRestricted);
    }

    [Fact]
    public async Task SetRestrictionAsync_ARecordThatJoinsLater_IsRestricted_SoTheRestrictionOutlivesTheRecordsItWasPlacedOn()
    {
        var citizen = await InSessionAsync(async s =>
        {
            var x = await s.CreateCitizenAsync(At);
            await SaveAsync(s, x, Records.Person("ct", "old", "Ann", "Lee"), []);
            await s.SetRestrictionAsync(x, restricted: true, At);
            return x;
        });
        var unrelated = await InSessionAsync(async s =>
        {
            // A new address's account joins her, and another person's record starts a citizen of its own in the same message.
            await SaveAsync(s, citizen, Records.Person("ct", "new", "Ann", "Lee"), []);
            var y = await s.CreateCitizenAsync(At);
            await SaveAsync(s, y, Records.Person("hb", "other", "Bob", "Ray"), []);
            return y;
        });

        await InSessionAsync(async s =>
        {
            await s.RemoveRecordAsync("ct", "old");
            return 0;
        });

        Assert.True((await Store.GetCitizenAsync(citizen, CancellationToken.None))!.Restricted);
        Assert.False((await Store.GetCitizenAsync(unrelated, CancellationToken.None))!.Restricted);
        Assert.Equal([unrelated], (await Store.SearchAsync(new CitizenSearch(null, null, null, null) { SourceRecord = new SourceRecordRef("hb", "other") }, 10, CancellationToken.None)).Select(c => c.CitizenId));
        Assert.Empty(await Store.SearchAsync(new CitizenSearch("LEE", null, null, null), 10, CancellationToken.None));
    }

    [Fact]
    public async Task SetRestrictionAsync_ARecordRemovedAndBack_IsRestrictedAgain_UnlessLiftedMeanwhile()
    {
        var (first, second) = await InSessionAsync(async s =>
        {
            var x = await s.CreateCitizenAsync(At);
            var y = await s.CreateCitizenAsync(At);
            await SaveAsync(s, x, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, x, Records.Person("hb", "1", "Ann", "Lee"), []);
            await SaveAsync(s, y, Records.Person("ct", "2", "Bob", "Ray"), []);
            await SaveAsync(s, y, Records.Person("hb", "2", "Bob", "Ray"), []);
            await s.SetRestrictionAsync(x, restricted: true, At);
            await s.SetRestrictionAsync(y, restricted: true, At);
            await s.RemoveRecordAsync("ct", "1");
            await s.RemoveRecordAsync("ct", "2");
            return (x, y);
        });
        await InSessionAsync(s => s.SetRestrictionAsync(second, restricted: false, At));

        // Both come back, each to a citizen of its own.
        var (back, backAfterLift) = await InSessionAsync(async s =>
        {
            var p = await s.CreateCitizenAsync(At);
            var q = await s.CreateCitizenAsync(At);
            await SaveAsync(s, p, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, q, Records.Person("ct", "2", "Bob", "Ray"), []);
            return (p, q);
        });

        Assert.True((await Store.GetCitizenAsync(first, CancellationToken.None))!.Restricted);
        Assert.True((await Store.GetCitizenAsync(back, CancellationToken.None))!.Restricted);
        Assert.False((await Store.GetCitizenAsync(second, CancellationToken.None))!.Restricted);
        Assert.False((await Store.GetCitizenAsync(backAfterLift, CancellationToken.None))!.Restricted);
    }

    [Fact]
    public async Task SearchAsync_HiddenSources_FindNoOneThroughTheirRecords_NorChangesTheyCaused()
    {
        var (both, onlyHidden) = await InSessionAsync(async s =>
        {
            var x = await s.CreateCitizenAsync(At);
            var y = await s.CreateCitizenAsync(At);
            await SaveAsync(s, x, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, x, Records.Person("sc", "1", "Ann", "Lee"), []);
            await SaveAsync(s, y, Records.Person("sc", "2", "Ann", "Lee"), []);
            await s.AppendChangesAsync([new CitizenCreated(x, 1, new SourceRecordRef("ct", "1"), At), new CitizenCreated(y, 1, new SourceRecordRef("sc", "2"), At)]);
            return (x, y);
        });

        var hidden = await Store.SearchAsync(new CitizenSearch("LEE", null, null, null) { HiddenSources = ["sc"] }, 10, CancellationToken.None);
        var all = await Store.SearchAsync(new CitizenSearch("LEE", null, null, null), 10, CancellationToken.None);
        var feed = await Store.GetChangesAsync(0, 10, includeRestricted: false, ["sc"], CancellationToken.None);

        Assert.Equal([both], hidden.Select(c => c.CitizenId));
        Assert.Equal([both, onlyHidden], all.Select(c => c.CitizenId));
        Assert.Equal([both], feed.Select(c => c.CitizenId));
    }

    [Fact]
    public async Task SearchAsync_BySoundPetFormIdentifiersAndSourceRecord()
    {
        var (smith, other) = await InSessionAsync(async s =>
        {
            var a = await s.CreateCitizenAsync(At);
            var b = await s.CreateCitizenAsync(At);
            await SaveAsync(s, a, Records.Person("ct", "1", "Margaret", "Smith", (1950, 3, 4)), ["ni:AB123456C", "nhs:9434765919"]);
            await SaveAsync(s, b, Records.Person("ct", "2", "Peggy", "Jones"), ["ni:CD123456A"]);
            return (a, b);
        });
        var smyth = RecordNormaliser.Normalise(Records.Person("x", "x", "Margaret", "Smyth"));

        var bySound = await Store.SearchAsync(new CitizenSearch("SMYTH", null, null, null) { FamilyPhonetic = smyth.FamilyPhonetic }, 10, CancellationToken.None);
        var byKeyAlone = await Store.SearchAsync(new CitizenSearch("SMYTH", null, null, null), 10, CancellationToken.None);
        var byPetForm = await Store.SearchAsync(new CitizenSearch(null, "MARGARET", null, null) { GivenEquivalents = ["PEGGY"] }, 10, CancellationToken.None);
        var byBothIdentifiers = await Store.SearchAsync(new CitizenSearch(null, null, null, null) { IdentifierKeys = ["ni:AB123456C", "nhs:9434765919"] }, 10, CancellationToken.None);
        var byIdentifiersOfTwoRecords = await Store.SearchAsync(new CitizenSearch(null, null, null, null) { IdentifierKeys = ["ni:AB123456C", "ni:CD123456A"] }, 10, CancellationToken.None);
        var byRecord = await Store.SearchAsync(new CitizenSearch(null, null, null, null) { SourceRecord = new SourceRecordRef("ct", "2") }, 10, CancellationToken.None);
        var empty = await Store.SearchAsync(new CitizenSearch(null, null, null, null), 10, CancellationToken.None);

        Assert.Equal([smith], bySound.Select(c => c.CitizenId));
        Assert.Empty(byKeyAlone);
        Assert.Equal([smith, other], byPetForm.Select(c => c.CitizenId));
        Assert.Equal([smith], byBothIdentifiers.Select(c => c.CitizenId));
        Assert.Empty(byIdentifiersOfTwoRecords);
        Assert.Equal([other], byRecord.Select(c => c.CitizenId));
        Assert.Equal("SMITH", Assert.Single(bySound[0].Records!).FamilyKey);
        Assert.Empty(empty);
    }

    [Fact]
    public async Task FailedMessage_KeptWholeUnderAnId_ListedUntilApplied()
    {
        var runId = Guid.NewGuid();
        await Store.RecordRunStartedAsync(new SyncRunStarted(runId, "ct", At), CancellationToken.None);
        var message = new MessageIdentity(runId, MessageIdentity.RecordBatch, 4);
        await Store.RecordMessageFailedAsync(message, "TimeoutException", "{\"records\":[]}", At, CancellationToken.None);
        var listed = Assert.Single(await Store.GetFailedMessagesAsync(includeApplied: false, CancellationToken.None));
        // It fails again after a replay: the same id, the newer reason, the body kept.
        await Store.MarkReplayedAsync(listed.FailureId, At.AddMinutes(1), CancellationToken.None);
        await Store.RecordMessageFailedAsync(message, "InvalidDataException", null, At.AddMinutes(2), CancellationToken.None);
        var again = await Store.GetFailedMessageAsync(listed.FailureId, CancellationToken.None);
        await using (var session = await Store.BeginMessageAsync(message, CancellationToken.None))
        {
            await session!.CommitAsync(CancellationToken.None);
        }

        Assert.Equal((message, "ct", "TimeoutException", false), (listed.Message, listed.SourceSystem, listed.Reason, listed.Applied));
        Assert.Null(listed.Body);
        Assert.Equal(("InvalidDataException", "{\"records\":[]}", At.AddMinutes(1), At.AddMinutes(2)), (again!.Reason, again.Body, again.ReplayedAt, again.FailedAt));
        Assert.Empty(await Store.GetFailedMessagesAsync(includeApplied: false, CancellationToken.None));
        Assert.True(Assert.Single(await Store.GetFailedMessagesAsync(includeApplied: true, CancellationToken.None)).Applied);
        Assert.Null(await Store.GetFailedMessageAsync(listed.FailureId + 1000, CancellationToken.None));
    }

    [Fact]
    public async Task ClaimUnpublishedChanges_OnlyOlderThanAsked_LeasedRowsWaitTillTheLeaseRunsOut_PublishedRowsNeverReturn()
    {
        await InSessionAsync(async s =>
        {
            await s.AppendChangesAsync([new CitizenCreated("C1", 1, new SourceRecordRef("ct", "1"), At), new CitizensMerged("C1", "C2", new SourceRecordRef("ct", "2"), At)]);
            return 0;
        });

        var tooRecent = await Store.ClaimUnpublishedChangesAsync(At, At, At.AddSeconds(30), 10, CancellationToken.None);
        var claimed = await Store.ClaimUnpublishedChangesAsync(At, At.AddTicks(1), At.AddSeconds(30), 10, CancellationToken.None);
        var whileLeased = await Store.ClaimUnpublishedChangesAsync(At.AddSeconds(10), At.AddSeconds(10), At.AddSeconds(40), 10, CancellationToken.None);
        // Its publisher died: the lease runs out and the rows go to whoever sweeps next.
        var afterLease = await Store.ClaimUnpublishedChangesAsync(At.AddSeconds(31), At.AddSeconds(31), At.AddSeconds(61), 1, CancellationToken.None);
        await Store.MarkPublishedAsync([.. claimed.Select(c => c.Sequence)], At.AddSeconds(32), CancellationToken.None);
        var afterPublished = await Store.ClaimUnpublishedChangesAsync(At.AddMinutes(5), At.AddMinutes(5), At.AddMinutes(6), 10, CancellationToken.None);

        Assert.Equal([(FeedEvents.Created, "C1", (string?)null), (FeedEvents.Merged, "C1", "C2")], claimed.Select(c => (c.Kind, c.CitizenId, c.RelatedCitizenId)));
        Assert.Empty(tooRecent);
        Assert.Empty(whileLeased);
        Assert.Equal(claimed[0].Sequence, Assert.Single(afterLease).Sequence);
        Assert.Empty(afterPublished);
        Assert.IsType<CitizensMerged>(FeedEvents.ToEvent(claimed[1]));
    }

    [Fact]
    public async Task ClaimUnpublishedChanges_ClaimsAtOnce_NeverTakeTheSameRow()
    {
        await InSessionAsync(async s =>
        {
            await s.AppendChangesAsync([.. Enumerable.Range(1, 40).Select(i => new CitizenCreated($"C{i}", 1, new SourceRecordRef("ct", $"{i}"), At))]);
            return 0;
        });

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Store.ClaimUnpublishedChangesAsync(At, At.AddTicks(1), At.AddSeconds(30), 15, CancellationToken.None)));

        var taken = claims.SelectMany(c => c).Select(c => c.Sequence).ToList();
        Assert.Equal(40, taken.Count);
        Assert.Equal(taken.Count, taken.Distinct().Count());
    }

    [Fact]
    public async Task ReadNormalisedRecordsAsync_ReadsEveryRecordsNormalisedForm()
    {
        await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("hb", "1", "Bob", "Smith"), []);
            return c;
        });

        var families = new List<string?>();
        await foreach (var record in Store.ReadNormalisedRecordsAsync(CancellationToken.None))
        {
            families.Add(record.FamilyKey);
        }

        Assert.Equal(["LEE", "SMITH"], families);
    }

    [Fact]
    public async Task Session_ReadsSeeItsOwnWrites_AsEachRecordIsSavedMovedMergedAndRemoved()
    {
        await InSessionAsync(async s =>
        {
            var a = await s.CreateCitizenAsync(At);
            var b = await s.CreateCitizenAsync(At.AddMinutes(1));
            await SaveAsync(s, a, Records.Person("ct", "1", "Ann", "Lee"), ["ni:AB123456C"]);
            await SaveAsync(s, a, Records.Person("ct", "2", "Bob", "Lee"), []);
            Assert.Equal(["1", "2"], await KeysAsync(s, a));
            Assert.Equal(a, (await s.FindRecordAsync("ct", "1"))!.CitizenId);
            Assert.Equal([a], await s.FindCitizensAsync(["ni:AB123456C"], "x", "x", 10));
            Assert.Equal(2, (await s.GetTermFrequenciesAsync([RecordNormaliser.Normalise(Records.Person("x", "x", "Ann", "Lee"))])).FamilyCount("LEE"));

            // A new version linked elsewhere leaves its old citizen.
            await SaveAsync(s, b, Records.Person("ct", "2", "Robert", "Lee"), []);
            Assert.Equal(["1"], await KeysAsync(s, a));
            Assert.Equal(["Robert"], (await s.GetLinkedRecordsAsync(b)).Select(r => r.GivenNames));

            await s.MoveRecordAsync("ct", "1", b, At);
            Assert.Empty(await KeysAsync(s, a));
            Assert.Equal(["1", "2"], await KeysAsync(s, b));

            await SaveAsync(s, a, Records.Person("ct", "3", "Cat", "Lee"), []);
            Assert.Equal(["3"], await KeysAsync(s, a));
            await s.MergeAsync(a, b, At);
            Assert.Equal(["1", "2", "3"], await KeysAsync(s, a));
            Assert.Empty(await KeysAsync(s, b));

            await s.RemoveRecordAsync("ct", "2");
            Assert.Equal(["1", "3"], await KeysAsync(s, a));
            Assert.Null(await s.FindRecordAsync("ct", "2"));
            return a;
        });

        var links = new List<CitizenLink>();
        await foreach (var link in Store.ReadLinksAsync(CancellationToken.None))
        {
            links.Add(link);
        }

        Assert.Equal(["1", "3"], links.Select(l => l.SourceKey));
        Assert.Single(links.Select(l => l.CitizenId).Distinct());

        static async Task<IEnumerable<string>> KeysAsync(IResolutionSession session, string citizenId) =>
            (await session.GetLinkedRecordsAsync(citizenId)).Select(r => r.SourceKey);
    }

    [Fact]
    public async Task Session_HeldRecordsAndDeclarations_AnswerAsItsOwnSavesMovesMergesAndRemovalsChangeThem()
    {
        var (held, other) = await InSessionAsync(async s =>
        {
            var a = await s.CreateCitizenAsync(At);
            var b = await s.CreateCitizenAsync(At);
            await SaveAsync(s, a, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, b, Records.Person("ct", "2", "Bob", "Lee"), []);
            await s.AddStewardDecisionAsync(new StewardDecision(null, new SourceRecordRef("er", "9"), new SourceRecordRef("ct", "1"), false, "steward", null, At));
            return (a, b);
        });
        var unaided = await InSessionAsync(async s => (
            Held: await s.FindRecordAsync("ct", "1"),
            Declared: await s.GetDeclaredAsync(new SourceRecordRef("ct", "1"))));

        await InSessionAsync(async s =>
        {
            Assert.Equal(unaided.Held, await s.FindRecordAsync("ct", "1"));
            Assert.Equal([new SourceRecordRef("er", "9")], (await s.GetDeclaredAsync(new SourceRecordRef("ct", "1"))).Different);
            Assert.Equal(unaided.Declared.Different, (await s.GetDeclaredAsync(new SourceRecordRef("ct", "1"))).Different);
            Assert.Empty((await s.GetDeclaredAsync(new SourceRecordRef("ct", "2"))).Different);
            Assert.Null(await s.FindRecordAsync("ct", "3"));

            // Saved where it was not held; a new version; moved; merged away; removed.
            var c = await s.CreateCitizenAsync(At);
            await s.SaveRecordAsync(c, Records.Person("ct", "3", "Cat", "Lee"), RecordNormaliser.Normalise(Records.Person("ct", "3", "Cat", "Lee")), ThirdDigest, [], null, At);
            Assert.Equal(new HeldRecord(c, ThirdDigest, Records.Person("ct", "3", "Cat", "Lee").ObservedAt), await s.FindRecordAsync("ct", "3"));
            await s.SaveRecordAsync(held, Records.Person("ct", "2", "Robert", "Lee"), RecordNormaliser.Normalise(Records.Person("ct", "2", "Robert", "Lee")), SecondDigest, [], null, At);
            Assert.Equal((held, SecondDigest), await CitizenAndHashAsync(s, "2"));
            await s.MoveRecordAsync("ct", "1", c, At);
            Assert.Equal(c, (await s.FindRecordAsync("ct", "1"))!.CitizenId);
            await s.MergeAsync(other, c, At);
            Assert.Equal(other, (await s.FindRecordAsync("ct", "1"))!.CitizenId);
            Assert.Equal(other, (await s.FindRecordAsync("ct", "3"))!.CitizenId);
            Assert.Equal(held, (await s.FindRecordAsync("ct", "2"))!.CitizenId);
            await s.RemoveRecordAsync("ct", "3");
            Assert.Null(await s.FindRecordAsync("ct", "3"));
            return 0;
        });

        // What the session answered is what it stored.
        var stored = await InSessionAsync(async s => (
            One: await s.FindRecordAsync("ct", "1"), Two: await s.FindRecordAsync("ct", "2"), Three: await s.FindRecordAsync("ct", "3")));
        Assert.Equal(other, stored.One!.CitizenId);
        Assert.Equal((held, SecondDigest), (stored.Two!.CitizenId, stored.Two.ContentHash));
        Assert.Null(stored.Three);

        static async Task<(string, string)> CitizenAndHashAsync(IResolutionSession session, string key) =>
            await session.FindRecordAsync("ct", key) is { } h ? (h.CitizenId, h.ContentHash) : default;
    }

    [Fact]
    public async Task Session_KeyIndexAndCitizens_FindCandidatesOldestFirst_AsItsOwnSavesMovesMergesAndRemovalsChangeThem()
    {
        // Three records of namesakes sharing every blocking key: the search finds the citizens holding the others.
        // A fourth citizen shares none.
        var (p, q, t) = await InSessionAsync(async s =>
        {
            var p = await s.CreateCitizenAsync(At);
            var q = await s.CreateCitizenAsync(At);
            var t = await s.CreateCitizenAsync(At);
            await SaveWithItsKeysAsync(s, p, AnnLee("ct", "1"));
            await SaveWithItsKeysAsync(s, q, AnnLee("ct", "2"));
            await SaveWithItsKeysAsync(s, t, Records.Person("ct", "9", "Bob", "Jones", dob: (1950, 5, 5)));
            return (p, q, t);
        });
        var incoming = RecordNormaliser.Normalise(AnnLee("er", "1"));

        var (answers, r) = await InSessionAsync(async s =>
        {
            var answers = new List<IReadOnlyList<string>> { await FindAsync(s) };
            var created = await s.CreateCitizenAsync(At);
            await SaveWithItsKeysAsync(s, created, AnnLee("ct", "3"));
            answers.Add(await FindAsync(s));
            await s.MoveRecordAsync("ct", "1", created, At);
            answers.Add(await FindAsync(s));
            await s.MergeAsync(t, created, At);
            // The citizen merged away, read again, holds nothing.
            Assert.Empty(await s.GetLinkedRecordsAsync(created));
            answers.Add(await FindAsync(s));
            await s.RemoveRecordAsync("ct", "2");
            answers.Add(await FindAsync(s));
            return (answers, created);
        });

        Assert.Equal<IReadOnlyList<string>>([[p, q], [p, q, r], [q, r], [q, t], [t]], answers);
        Assert.Equal([t], await InSessionAsync(FindAsync));

        // A citizen marked removed is no candidate, even holding records.
        var afterRemoval = await InSessionAsync(async s =>
        {
            Assert.Equal([t], await FindAsync(s));
            await s.SetGoldenRecordAsync(t, [], At);
            return await FindAsync(s);
        });
        Assert.Empty(afterRemoval);

        static SourceRecord AnnLee(string system, string key) => Records.Person(system, key, "Ann", "Lee", dob: (1980, 1, 1));

        Task<IReadOnlyList<string>> FindAsync(IResolutionSession session) =>
            session.FindCitizensAsync(BlockingKeys.For(incoming), "er", "1", BlockingKeys.DefaultMaximumBlockSize);
    }

    [Fact]
    public async Task SetGoldenRecordAsync_SeveralTimesInOneSession_VersionsAndStoresAsOnceASession()
    {
        GoldenField[] first = [Field("family_name", "Lee"), Field("given_names", "Ann")];
        GoldenField[] second = [Field("family_name", "Lee"), Field("given_names", "Anne")];
        var (id, survivor, created, same, changed, afterMerge) = await InSessionAsync(async s =>
        {
            var id = await s.CreateCitizenAsync(At);
            var survivor = await s.CreateCitizenAsync(At);
            var created = await s.SetGoldenRecordAsync(id, first, At);
            var same = await s.SetGoldenRecordAsync(id, first, At);
            var changed = await s.SetGoldenRecordAsync(id, second, At);
            await s.SetGoldenRecordAsync(survivor, first, At);
            await s.MergeAsync(survivor, id, At);
            var afterMerge = await s.SetGoldenRecordAsync(survivor, second, At);
            return (id, survivor, created, same, changed, afterMerge);
        });
        var absorbed = await Store.GetCitizenAsync(id, CancellationToken.None);
        var kept = await Store.GetCitizenAsync(survivor, CancellationToken.None);

        Assert.Equal(["family_name", "given_names"], created.ChangedFields);
        Assert.Empty(same.ChangedFields);
        Assert.Equal(created.Version, same.Version);
        Assert.Equal(["given_names"], changed.ChangedFields);
        Assert.Equal(created.Version + 1, changed.Version);
        Assert.Equal(["given_names"], afterMerge.ChangedFields);
        Assert.Equal(afterMerge.Version, kept!.Version);
        Assert.Equal("Anne", kept.Fields.Single(f => f.Field == "given_names").Value);
        Assert.Equal(changed.Version + 1, absorbed!.Version);
    }

    /// <summary>A citizen of two council-tax records of Ann Lee, with the two names the name-count tests ask about: hers and a married one.</summary>
    private async Task<(string CitizenId, NormalisedRecord Lee, NormalisedRecord Married)> AnnLeeTwiceAsync()
    {
        var c = await InSessionAsync(async s =>
        {
            var c = await s.CreateCitizenAsync(At);
            await SaveAsync(s, c, Records.Person("ct", "1", "Ann", "Lee"), []);
            await SaveAsync(s, c, Records.Person("ct", "2", "Ann", "Lee"), []);
            return c;
        });
        return (c, RecordNormaliser.Normalise(Records.Person("x", "x", "Ann", "Lee")), RecordNormaliser.Normalise(Records.Person("x", "x", "Anne", "Hughes")));
    }

    [Fact]
    public async Task DeferSearchIndexesAsync_StoreHoldingNoRecord_DropsThem_SearchStillAnswers_AndBuildPutsBackWhatTheMigrationsMade()
    {
        var migrated = await RecordIndexesAsync();

        var deferred = await Store.DeferSearchIndexesAsync(CancellationToken.None);
        var during = await RecordIndexesAsync();
        var lee = await InSessionAsync(async s =>
        {
            var a = await s.CreateCitizenAsync(At);
            await SaveAsync(s, a, Records.Person("ct", "1", "Ann", "Lee", (1980, 1, 2), postcode: "ST16 2AB"), []);
            return a;
        });
        var found = await Store.SearchAsync(new CitizenSearch("LEE", "ANN", "1980-01-02", "ST16 2AB"), 10, CancellationToken.None);
        await Store.BuildSearchIndexesAsync(CancellationToken.None);

        Assert.True(deferred);
        Assert.Equal(migrated.Count - SearchIndexes.All.Count, during.Count);
        Assert.DoesNotContain(during, i => SearchIndexes.All.Any(s => i.Contains(s.Name, StringComparison.Ordinal)));
        Assert.Equal([lee], found.Select(c => c.CitizenId));
        Assert.Equal(migrated, await RecordIndexesAsync());
    }

    [Fact]
    public async Task DeferSearchIndexesAsync_StoreHoldingARecord_LeavesThemBe()
    {
        await InSessionAsync(async s =>
        {
            await SaveAsync(s, await s.CreateCitizenAsync(At), Records.Person("ct", "1", "Ann", "Lee"), []);
            return 0;
        });
        var before = await RecordIndexesAsync();

        var deferred = await Store.DeferSearchIndexesAsync(CancellationToken.None);

        Assert.False(deferred);
        Assert.Equal(before, await RecordIndexesAsync());
    }

    [Fact]
    public async Task SearchIndexes_DeferredAndBuiltByManyAtOnce_AsInstancesLoadingTogetherDo_NoneFails_AndEachEndsBuiltOnce()
    {
        // Two instances each loading a source into one empty store both leave the indexes out and both build them at the end.
        var migrated = await RecordIndexesAsync();

        for (var round = 0; round < 5; round++)
        {
            var deferred = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Store.DeferSearchIndexesAsync(CancellationToken.None))));
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Store.BuildSearchIndexesAsync(CancellationToken.None))));
            Assert.All(deferred, Assert.True);
        }

        Assert.Equal(migrated, await RecordIndexesAsync());
    }

    [Fact]
    public async Task MigrateAsync_AfterAFirstLoadThatNeverBuiltItsSearchIndexes_BuildsThem()
    {
        var migrated = await RecordIndexesAsync();
        await Store.DeferSearchIndexesAsync(CancellationToken.None);

        await Store.MigrateAsync(CancellationToken.None);

        Assert.Equal(migrated, await RecordIndexesAsync());
    }

    /// <summary>Every record of a source the store holds, with its content digest (<see cref="ISyncOperations.ReadSourceContentHashesAsync"/>).</summary>
    protected static async Task<List<(string Key, string Digest)>> DigestsHeldAsync(ISyncOperations store, string sourceSystem)
    {
        var held = new List<(string, string)>();
        await foreach (var pair in store.ReadSourceContentHashesAsync(sourceSystem, CancellationToken.None))
        {
            held.Add(pair);
        }

        return held;
    }

    private static readonly string SecondDigest = new('2', 64);
    private static readonly string ThirdDigest = new('3', 64);

    protected static PairEvidence Evidence(string citizenId, string system, string key, double weight) =>
        new(citizenId, system, key, new MatchExplanation(weight, MatchBand.Review, null, null, [new FieldWeight("family_name", "exact", 6.5, TermFrequencyAdjusted: true)]));

    protected static GoldenField Field(string name, string value) => new(name, value, "ct", "1", At);

    protected static Task SaveAsync(IResolutionSession session, string citizenId, SourceRecord record, IReadOnlyList<string> keys) =>
        session.SaveRecordAsync(citizenId, record, RecordNormaliser.Normalise(record), IdentityEngine.ContentHash(record), keys, null, At);

    /// <summary>Saves a record with the blocking keys the resolver would give it.</summary>
    protected static Task SaveWithItsKeysAsync(IResolutionSession session, string citizenId, SourceRecord record)
    {
        var normalised = RecordNormaliser.Normalise(record);
        return session.SaveRecordAsync(citizenId, record, normalised, IdentityEngine.ContentHash(record), BlockingKeys.For(normalised), null, At);
    }

    protected async Task<T> InSessionAsync<T>(Func<IResolutionSession, Task<T>> work)
    {
        var message = new MessageIdentity(Guid.NewGuid(), MessageIdentity.RecordBatch, Interlocked.Increment(ref _sequence));
        await using var session = await Store.BeginMessageAsync(message, CancellationToken.None)
            ?? throw new InvalidOperationException("A new message was refused.");
        var result = await work(session);
        await session.CommitAsync(CancellationToken.None);
        return result;
    }
}
