using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Linking;
using CitizenHub.Store.Sqlite;
using CitizenHub.TestKit;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Store.Tests.Sqlite;

public sealed class SqliteCitizenStoreTests : TempSqliteStore
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 3, 0, 0, TimeSpan.Zero);
    private int _sequence;

    [Fact]
    public async Task MigrateAsync_RunAgain_KeepsDataAndVersion()
    {
        var id = await InSessionAsync(s => s.CreateCitizenAsync(At));

        await Store.MigrateAsync(CancellationToken.None);

        Assert.NotNull(await Store.GetCitizenAsync(id, CancellationToken.None));
        Assert.True(await Store.PingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task MigrateAsync_FolderMissing_CreatesFileThere()
    {
        var path = Folder.File(Path.Combine("nested", "deeper", "hub.db"));
        using var store = new SqliteCitizenStore($"Data Source={path}");

        await store.MigrateAsync(CancellationToken.None);

        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task MigrateAsync_StoreAtVersion3_ReordersNameOnlyKeysAsBlockingKeysWritesThem()
    {
        // A store written before migration 4 holds name-only keys family first.
        var path = Folder.File("v3.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "CREATE TABLE schema_version (version INTEGER NOT NULL);");
            for (var version = 1; version <= 3; version++)
            {
                await ExecuteAsync(connection, SqliteSchema.Migrations[version - 1]);
                await ExecuteAsync(connection, $"INSERT INTO schema_version (version) VALUES ({version});");
            }

            await ExecuteAsync(connection, """
                INSERT INTO match_keys (match_key, source_system, source_key) VALUES
                    ('nm:SMITH|JOHN', 'ct', '1'), ('nm:ADAMS|ZOE', 'ct', '2'), ('pc:ST16 2AB|J', 'ct', '1');
                """);
        }

        using (var store = new SqliteCitizenStore($"Data Source={path}"))
        {
            await store.MigrateAsync(CancellationToken.None);
        }

        var keys = new List<string>();
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT match_key FROM match_keys ORDER BY match_key;";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(["nm:ADAMS|ZOE", "nm:JOHN|SMITH", "pc:ST16 2AB|J"], keys);
        // The migrated key is the one a record of that name gets today, so old and new records find each other.
        Assert.Contains("nm:JOHN|SMITH", BlockingKeys.For(RecordNormaliser.Normalise(Records.Person("ct", "1", "John", "Smith"))));
    }

    [Fact]
    public async Task Audit_AppendedRowsReadBackInOrder_AndNoRowCanBeChangedOrDeleted()
    {
        var citizen = new string('a', 32);
        await Store.AppendAuditAsync(
            [new AuditEntry(0, At, "contact-centre", "agent", "read", citizen, "bill query", ["given_names", "address"]),
             new AuditEntry(0, At.AddMinutes(1), "contact-centre", "agent", "search", citizen, "bill query", [])],
            CancellationToken.None);

        var rows = await Store.GetAuditAsync(citizen, 10, CancellationToken.None);

        Assert.Equal(["read", "search"], rows.Select(r => r.Action));
        Assert.Equal(["given_names", "address"], rows[0].Fields);
        Assert.Empty(rows[1].Fields);
        await using var connection = new SqliteConnection($"Data Source={Folder.File("hub.db")}");
        await connection.OpenAsync();
        var update = await Assert.ThrowsAsync<SqliteException>(() => ExecuteAsync(connection, "UPDATE audit_log SET purpose = 'rewritten';"));
        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SqliteException>(() => ExecuteAsync(connection, "DELETE FROM audit_log;"));
        Assert.Equal(2, (await Store.GetAuditAsync(citizen, 10, CancellationToken.None)).Count);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
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

        await Store.RecordMessageFailedAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 2), "SqliteException", null, At, CancellationToken.None);
        var partway = await Store.GetRunAsync(runId, CancellationToken.None);
        await using (var session = await Store.BeginMessageAsync(new MessageIdentity(runId, MessageIdentity.RecordBatch, 3), CancellationToken.None))
        {
            await session!.CommitAsync(CancellationToken.None);
        }

        var finished = await Store.GetRunAsync(runId, CancellationToken.None);

        Assert.False(beforeCompletion!.IsFinished);
        Assert.Null(beforeCompletion.ExpectedMessages);
        Assert.False(partway!.IsFinished);
        Assert.Equal((3, 2, 1, "SqliteException"), (finished!.ExpectedMessages, finished.AppliedMessages, finished.FailedMessages, finished.LastFailure));
        Assert.True(finished.IsFinished);
    }

    [Fact]
    public async Task GetRunAsync_UnknownRun_ReturnsNull() =>
        Assert.Null(await Store.GetRunAsync(Guid.NewGuid(), CancellationToken.None));

    private static GoldenField Field(string name, string value) => new(name, value, "ct", "1", At);

    private static Task SaveAsync(IResolutionSession session, string citizenId, SourceRecord record, IReadOnlyList<string> keys) =>
        session.SaveRecordAsync(citizenId, record, RecordNormaliser.Normalise(record), "hash", keys, null, At);

    private async Task<T> InSessionAsync<T>(Func<IResolutionSession, Task<T>> work)
    {
        var message = new MessageIdentity(Guid.NewGuid(), MessageIdentity.RecordBatch, Interlocked.Increment(ref _sequence));
        await using var session = await Store.BeginMessageAsync(message, CancellationToken.None)
            ?? throw new InvalidOperationException("A new message was refused.");
        var result = await work(session);
        await session.CommitAsync(CancellationToken.None);
        return result;
    }
}
