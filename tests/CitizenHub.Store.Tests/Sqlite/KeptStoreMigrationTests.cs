using System.IO.Compression;
using CitizenHub.Adapters.Testing;
using CitizenHub.Matching.Identity;
using CitizenHub.Store.Sqlite;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Store.Tests.Sqlite;

/// <summary>
/// A store in use is migrated in place: the file <c>citizenhub-bench accuracy --persons 400 --seed 3 --keep</c> left on
/// main before the store's format changed (SQLite migration 21, Fixtures/), opened by today's store, keeps every link,
/// every shown value with its lineage, every version and every record's normalised form (now made again from the
/// record), and takes new work.
/// </summary>
public sealed class KeptStoreMigrationTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task MigrateAsync_AStoreKeptBeforeGoldenRecordsWereOneRow_KeepsEveryLinkShownValueAndVersion_AndTakesNewWork()
    {
        var path = _folder.File("kept.db");
        await using (var packed = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "accuracy-400-seed3-main-70b99c4.db.gz")))
        await using (var gzip = new GZipStream(packed, CompressionMode.Decompress))
        await using (var file = File.Create(path))
        {
            await gzip.CopyToAsync(file);
        }

        // What the old format says, read from its own tables.
        List<(string Citizen, string System, string Key)> links;
        Dictionary<string, HashSet<(string Field, string Value, string System, string Key)>> fields;
        Dictionary<string, long> versions;
        List<string> normalisedKept;
        List<(string System, string Key, string Json)> evidenceKept;
        List<string> identifierKeys;
        Dictionary<string, List<string>> history;
        long schemaBefore;
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            schemaBefore = (long)(await Scalar(connection, "SELECT MAX(version) FROM schema_version;"))!;
            links = await Rows(connection, "SELECT citizen_id, source_system, source_key FROM source_records ORDER BY citizen_id, source_system, source_key;", r => (r.GetString(0), r.GetString(1), r.GetString(2)));
            fields = (await Rows(connection, "SELECT citizen_id, field, value, source_system, source_key FROM golden_fields;", r => (Citizen: r.GetString(0), Field: (r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)))))
                .GroupBy(r => r.Citizen).ToDictionary(g => g.Key, g => g.Select(r => r.Field).ToHashSet());
            versions = (await Rows(connection, "SELECT citizen_id, version FROM citizens;", r => (r.GetString(0), r.GetInt64(1)))).ToDictionary(r => r.Item1, r => r.Item2);
            evidenceKept = await Rows(connection, "SELECT source_system, source_key, evidence_json FROM source_records WHERE evidence_json IS NOT NULL;", r => (r.GetString(0), r.GetString(1), r.GetString(2)));
            normalisedKept = await Rows(connection, "SELECT normalised_json FROM source_records ORDER BY source_system, source_key;", r => r.GetString(0));
            identifierKeys = await Rows(connection, IdentifierKeys, r => r.GetString(0));
            history = (await Rows(connection, "SELECT citizen_id, cause || ' ' || IFNULL(source_system, '') || ' ' || IFNULL(source_key, '') FROM citizen_history ORDER BY seq;", r => (r.GetString(0), r.GetString(1))))
                .GroupBy(r => r.Item1).ToDictionary(g => g.Key, g => g.Select(r => r.Item2).ToList());
        }

        using var store = new SqliteCitizenStore($"Data Source={path}");
        await store.MigrateAsync(CancellationToken.None);

        Assert.Equal(21, schemaBefore);
        Assert.True(fields.Count > 400 / 2, "the kept store holds golden records to move");
        var linksAfter = new List<(string, string, string)>();
        await foreach (var link in store.ReadLinksAsync(CancellationToken.None))
        {
            linksAfter.Add((link.CitizenId, link.SourceSystem, link.SourceKey));
        }

        Assert.Equal(links, linksAfter.Order().ToList());
        // The normalised form the old store kept beside each record is the one made again from the record as received.
        var normalisedNow = new List<string>();
        await foreach (var normalised in store.ReadNormalisedRecordsAsync(CancellationToken.None))
        {
            // Identifiers of named schemes came after the kept store, whose records hold none.
            normalisedNow.Add(StoreJson.Serialize(normalised).Replace(",\"schemeIdentifiers\":[]", "", StringComparison.Ordinal));
        }

        Assert.Equal(normalisedKept, normalisedNow);
        // Evidence kept in the named form reads as it was written (the compact form is for what is written from now on).
        Assert.NotEmpty(evidenceKept);
        foreach (var (evidenceSystem, evidenceKey, json) in evidenceKept)
        {
            Assert.Equal(json, StoreJson.Serialize(await store.GetLinkEvidenceAsync(evidenceSystem, evidenceKey, CancellationToken.None)));
        }

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            var columns = await Rows(connection, "SELECT name FROM pragma_table_info('source_records');", r => r.GetString(0));
            Assert.DoesNotContain("normalised_json", columns);
            Assert.Equal(["evidence"], columns.Where(c => c.StartsWith("evidence", StringComparison.Ordinal)));
            // What was kept as text before values were packed is kept as bytes now, as every value written from now on is.
            Assert.Equal([0L], await Rows(connection, "SELECT COUNT(*) FROM source_records WHERE typeof(evidence) = 'text';", r => r.GetInt64(0)));
            Assert.Equal([0L], await Rows(connection, "SELECT COUNT(*) FROM citizens WHERE typeof(golden) = 'text';", r => r.GetInt64(0)));
            // The identifier keys, moved into a table that is its own key.
            Assert.NotEmpty(identifierKeys);
            Assert.Equal(identifierKeys, await Rows(connection, IdentifierKeys, r => r.GetString(0)));
            Assert.Equal([1L], await Rows(connection, "SELECT wr FROM pragma_table_list WHERE name = 'match_keys';", r => r.GetInt64(0)));
            Assert.Equal([1L], await Rows(connection, "SELECT wr FROM pragma_table_list WHERE name = 'citizen_history';", r => r.GetInt64(0)));
        }

        // Each citizen's history, moved into a table keyed by citizen, reads in the order it was written.
        Assert.True(history.Count > 400 / 2, "the kept store holds history to move");
        foreach (var (citizenId, entries) in history)
        {
            var read = await store.GetHistoryAsync(citizenId, CancellationToken.None);
            Assert.Equal(entries, read.Select(e => $"{e.Cause} {e.Record?.SourceSystem} {e.Record?.SourceKey}"));
        }

        foreach (var (citizenId, shown) in fields)
        {
            var view = (await store.GetCitizenAsync(citizenId, CancellationToken.None))!;
            Assert.Equal(shown, view.Fields.Select(f => (f.Field, f.Value, f.SourceSystem, f.SourceKey)).ToHashSet());
            Assert.Equal(versions[citizenId], view.Version);
        }

        // New work on the migrated file: a record linked to a citizen it holds, read back with its golden record.
        var (citizen, system, key) = links[0];
        await using (var session = (await store.BeginMessageAsync(new MessageIdentity(Guid.NewGuid(), MessageIdentity.RecordBatch, 1), CancellationToken.None))!)
        {
            var state = Assert.Single(await session.GetCitizensAsync([citizen]));
            Assert.Equal(fields[citizen], state.Golden.Select(f => (f.Field, f.Value, f.SourceSystem, f.SourceKey)).ToHashSet());
            Assert.Contains(state.Records, r => r.SourceSystem == system && r.SourceKey == key);
            await session.ApplyAsync(new MessageIdentity(Guid.Empty, "test", 0), new ChangeSet(
                [new IdentityChange.GoldenRecordWritten(citizen, [new CitizenHub.Matching.GoldenField("family_name", "Migrated", system, key, DateTimeOffset.UnixEpoch)], state.Version + 1, true, DateTimeOffset.UnixEpoch)],
                [],
                RunTally.None));
            await session.CommitAsync(CancellationToken.None);
        }

        var rewritten = (await store.GetCitizenAsync(citizen, CancellationToken.None))!;
        Assert.Equal(("family_name", "Migrated"), (Assert.Single(rewritten.Fields).Field, rewritten.Fields[0].Value));
        Assert.Equal(versions[citizen] + 1, rewritten.Version);
    }

    private const string IdentifierKeys =
        "SELECT match_key || ' ' || source_system || ' ' || source_key FROM match_keys WHERE match_key LIKE 'nhs:%' OR match_key LIKE 'ni:%' OR match_key LIKE 'uprn:%' ORDER BY 1;";

    private static async Task<object?> Scalar(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static async Task<List<T>> Rows<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
