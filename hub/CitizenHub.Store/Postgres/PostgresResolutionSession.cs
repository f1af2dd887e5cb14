using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using CitizenHub.Matching.Scoring;
using Dapper;
using Npgsql;

namespace CitizenHub.Store.Postgres;

/// <summary>
/// One message's writes in one PostgreSQL transaction, which holds the resolution lock from its start
/// (<see cref="PostgresCitizenStore.BeginMessageAsync"/>) until it commits or is disposed.
/// </summary>
/// <remarks>
/// Resolution issues many small statements per record, and on a server across a network each is a round trip.
/// So writes whose outcome the resolver does not read back (a new citizen, a record saved, moved or removed, a
/// merge, history, reviews) are held back and sent together, as one batch, just before the next statement that
/// reads, or at the commit; rows go as arrays (<c>unnest</c>) rather than one statement per row. What the session
/// has read or written it keeps (held records, linked records, name counts, golden records) and answers again
/// without asking, as its own writes would change it: nothing else writes while it holds the lock. A held-back
/// write that fails (it would be a bug: the session holds the resolution lock, so nothing else writes) fails the
/// next call or the commit instead, and the message is rolled back whole either way.
/// </remarks>
/// <param name="keys">
/// This instance's blocking keys in memory (<see cref="HeldKeyIndex"/>), brought up to date when the session first needs
/// them from the records other sessions (of any instance) saved or removed since (<c>key_version</c>).
/// </param>
/// <param name="keysInUse">Held by the session until it is disposed: one session of this instance uses the index at a time.</param>
internal sealed partial class PostgresResolutionSession(
    NpgsqlConnection connection, NpgsqlTransaction transaction, HeldKeyIndex keys, SemaphoreSlim keysInUse) : IResolutionSession
{
    private readonly List<NpgsqlBatchCommand> _pending = [];

    /// <summary>
    /// Each citizen's linked records as read in this session, forgotten when a write of this session changes
    /// them. The resolver reads a candidate's records several times per record (to score, then to survive
    /// fields, then to check what remains), and nothing else can change them meanwhile: the session holds
    /// the resolution lock.
    /// </summary>
    private readonly LinkedRecordCache _linked = new();

    /// <summary>
    /// What the store holds of each record asked about or expected (null: nothing), kept up to date by this session's
    /// own writes as the statements they send would change the rows; nothing else writes while the session holds the
    /// resolution lock.
    /// </summary>
    private readonly Dictionary<SourceRecordRef, HeldRecord?> _held = [];

    /// <summary>Steward decisions about the expected records, read once a message; forgotten if this session adds one.</summary>
    private readonly Dictionary<SourceRecordRef, StewardDeclarations> _declared = [];

    /// <summary>Name counts read, and kept current through this session's saves and removals.</summary>
    private readonly SessionNameCounts _names = new();

    /// <summary>
    /// Golden records as this session last wrote them (or created them, empty, or read them as the message's
    /// candidates), so rebuilding one again, or a new citizen's for the first time, reads nothing: on a first load
    /// most records start a citizen of their own.
    /// </summary>
    private readonly Dictionary<string, (long Version, IReadOnlyList<GoldenField> Fields)> _golden = new(StringComparer.Ordinal);
    /// <summary>Records this session added less those it removed: added to <c>record_count</c> at the commit (migration 5).</summary>
    private long _recordCountChange;

    /// <summary>Citizens this session linked or moved records to: the restriction of any of them spreads to all its records at the commit.</summary>
    private readonly HashSet<string> _gained = new(StringComparer.Ordinal);
    private DateTimeOffset _lastWriteAt;
    private bool _keysCurrent;

    // Whether any record was ever removed, asked once a session (null until then): see FindFormerCitizenAsync.
    private bool? _anyRemoved;
    private bool _disposed;

    /// <summary>Holds a write back until the next read or the commit; values are positional (<c>$1</c>, <c>$2</c>, …).</summary>
    private void Defer(string sql, params object?[] values) => _pending.Add(Command(sql, values));

    private static NpgsqlBatchCommand Command(string sql, object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            // A null is sent as text (every nullable value held back here is): an untyped one makes the parameter
            // types differ from call to call, and with them the prepared statement, which was then parsed and
            // planned again for half the records saved.
            command.Parameters.Add(value is null
                ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text }
                : new NpgsqlParameter { Value = value });
        }

        return command;
    }

    /// <summary>
    /// A read sent in one round trip with the held-back writes before it, which run first, in order (the reader
    /// passes over their empty results). Flushing them first would cost a round trip of its own, twice a record:
    /// the first read of each record follows the last one's writes, and so does rebuilding its golden record.
    /// </summary>
    private async Task<List<T>> ReadAfterPendingAsync<T>(string sql, Func<NpgsqlDataReader, T> map, params object?[] values)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var command in _pending)
        {
            batch.BatchCommands.Add(command);
        }

        _pending.Clear();
        batch.BatchCommands.Add(Command(sql, values));
        var rows = new List<T>();
        await using var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>Sends the held-back writes, in the order they were made, in one round trip.</summary>
    private async Task FlushAsync()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var command in _pending)
        {
            batch.BatchCommands.Add(command);
        }

        _pending.Clear();
        await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task ExpectAsync(IReadOnlyCollection<SourceRecordRef> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        await ReadHeldAsync([.. records.Where(r => !_held.ContainsKey(r)).Distinct()]).ConfigureAwait(false);
        await ReadDeclarationsAsync([.. records.Where(r => !_declared.ContainsKey(r)).Distinct()]).ConfigureAwait(false);
    }

    public async Task<HeldRecord?> FindRecordAsync(string sourceSystem, string sourceKey)
    {
        var record = new SourceRecordRef(sourceSystem, sourceKey);
        if (!_held.ContainsKey(record))
        {
            await ReadHeldAsync([record]).ConfigureAwait(false);
        }

        return _held[record];
    }

    /// <summary>Reads what the store holds of these records (none of them known yet), and the names each is counted under, in one round trip.</summary>
    private async Task ReadHeldAsync(IReadOnlyList<SourceRecordRef> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        foreach (var record in records)
        {
            _held[record] = null;
            _names.Known(record, null, null, held: false);
        }

        var held = await ReadAfterPendingAsync(
            """
            SELECT s.source_system, s.source_key, s.citizen_id, s.content_hash, s.observed_at, s.family_key, s.given_key
            FROM unnest($1::text[], $2::text[]) AS k (source_system, source_key)
            JOIN source_records s ON s.source_system = k.source_system AND s.source_key = k.source_key;
            """,
            r => (
                Record: new SourceRecordRef(r.GetString(0), r.GetString(1)),
                Held: new HeldRecord(r.GetString(2), r.GetString(3), StoreTime.Parse(r.GetString(4))),
                Family: r.IsDBNull(5) ? null : r.GetString(5),
                Given: r.IsDBNull(6) ? null : r.GetString(6)),
            records.Select(r => r.SourceSystem).ToArray(),
            records.Select(r => r.SourceKey).ToArray()).ConfigureAwait(false);
        foreach (var (record, found, family, given) in held)
        {
            _held[record] = found;
            _names.Known(record, family, given, held: true);
        }
    }

    /// <summary>Reads the steward decisions about these records (none of them known yet), either way round, in one round trip.</summary>
    private async Task ReadDeclarationsAsync(IReadOnlyList<SourceRecordRef> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        // Either side of a decision may be the record asked about; the other side is what it was declared about.
        var decisions = await ReadAfterPendingAsync(
            """
            SELECT d.source_system, d.source_key, d.other_system, d.other_key, d.decision
            FROM unnest($1::text[], $2::text[]) AS k (source_system, source_key)
            JOIN steward_decisions d ON d.source_system = k.source_system AND d.source_key = k.source_key
            UNION
            SELECT d.other_system, d.other_key, d.source_system, d.source_key, d.decision
            FROM unnest($1::text[], $2::text[]) AS k (source_system, source_key)
            JOIN steward_decisions d ON d.other_system = k.source_system AND d.other_key = k.source_key;
            """,
            r => (Record: new SourceRecordRef(r.GetString(0), r.GetString(1)), Other: new SourceRecordRef(r.GetString(2), r.GetString(3)), Decision: r.GetString(4)),
            records.Select(r => r.SourceSystem).ToArray(),
            records.Select(r => r.SourceKey).ToArray()).ConfigureAwait(false);
        var byRecord = decisions.ToLookup(d => d.Record);
        foreach (var record in records)
        {
            var about = byRecord[record].ToList();
            _declared[record] = about.Count == 0
                ? StewardDeclarations.None
                : new StewardDeclarations(
                    about.Where(d => d.Decision == "Same").Select(d => d.Other).ToHashSet(),
                    about.Where(d => d.Decision == "Different").Select(d => d.Other).ToHashSet());
        }
    }

    public async Task<IReadOnlyList<string>> FindCitizensAsync(
        IReadOnlyCollection<string> matchKeys, string exceptSystem, string exceptKey, int maximumBlockSize)
    {
        if (matchKeys.Count == 0)
        {
            return [];
        }

        // A key held by too many records (a switchboard number, a care home's postcode) is skipped: it would bring
        // hundreds of candidates and tell little about any of them (the index leaves it out). Found records whose citizen
        // is not known yet are asked for in one query, and each such citizen's records come back with it, as the
        // resolver compares the record with all of them next: asking for each candidate's records apart took a round
        // trip each (40 of 147 s at 20,000 persons).
        var records = (await CurrentKeysAsync().ConfigureAwait(false)).Find(matchKeys, new SourceRecordRef(exceptSystem, exceptKey), maximumBlockSize);
        if (records.Count == 0)
        {
            return [];
        }

        // Mostly known already: the message's changed records' candidates were read together (ExpectChangedAsync),
        // and the session keeps them current through its own writes.
        await ReadCitizensHoldingAsync(_linked.NotHeld(records)).ConfigureAwait(false);
        return _linked.HoldersOf(records);
    }

    /// <summary>
    /// Reads the active citizens holding these records, each with all its records, in one query sent with the writes
    /// held back, and keeps them: the resolver compares a record with every record of each candidate next.
    /// </summary>
    private async Task<IReadOnlyList<string>> ReadCitizensHoldingAsync(IReadOnlyCollection<SourceRecordRef> records)
    {
        if (records.Count == 0)
        {
            return [];
        }

        var rows = await ReadAfterPendingAsync(
            """
            WITH found AS (
                SELECT c.citizen_id, c.seq FROM citizens c
                WHERE c.status = 'Active' AND c.citizen_id IN (
                    SELECT s.citizen_id FROM unnest($1::text[], $2::text[]) AS k (source_system, source_key)
                    JOIN source_records s ON s.source_system = k.source_system AND s.source_key = k.source_key))
            SELECT f.citizen_id, f.seq, s.normalised_json FROM found f
            JOIN source_records s ON s.citizen_id = f.citizen_id
            ORDER BY f.seq, s.source_system, s.source_key;
            """,
            r => (CitizenId: r.GetString(0), Seq: r.GetInt64(1), Json: r.GetString(2)),
            records.Select(r => r.SourceSystem).ToArray(),
            records.Select(r => r.SourceKey).ToArray()).ConfigureAwait(false);
        return _linked.KeepAll(rows);
    }

    /// <remarks>
    /// Three round trips for the message: the names' counts, the records of every citizen the records' blocking keys
    /// find now, and those citizens' golden records. Resolving then asks the server only for what the message's own
    /// writes change (a block grown past its limit, a citizen merged).
    /// </remarks>
    public async Task ExpectChangedAsync(IReadOnlyCollection<NormalisedRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        await ReadNameCountsAsync(records).ConfigureAwait(false);
        var index = await CurrentKeysAsync().ConfigureAwait(false);
        var found = new HashSet<SourceRecordRef>();
        foreach (var record in records)
        {
            found.UnionWith(index.Find(
                BlockingKeys.For(record), new SourceRecordRef(record.SourceSystem, record.SourceKey), BlockingKeys.DefaultMaximumBlockSize));
        }

        var candidates = await ReadCitizensHoldingAsync(_linked.NotHeld(found)).ConfigureAwait(false);
        await ReadGoldenRecordsAsync([.. candidates.Where(c => !_golden.ContainsKey(c))]).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads and keeps the golden records (version and fields) of these citizens, in one round trip after the writes
    /// held back; a citizen not in the store is left out. The message's candidates are read this way together: a
    /// record linked to a citizen rebuilds its golden record, which would otherwise read it then, a round trip each.
    /// </summary>
    private async Task ReadGoldenRecordsAsync(IReadOnlyList<string> citizens)
    {
        if (citizens.Count == 0)
        {
            return;
        }

        var rows = await ReadAfterPendingAsync(
            """
            SELECT c.citizen_id, c.version, f.field, f.value, f.source_system, f.source_key, f.observed_at
            FROM unnest($1::text[]) AS k (citizen_id)
            JOIN citizens c ON c.citizen_id = k.citizen_id
            LEFT JOIN golden_fields f ON f.citizen_id = c.citizen_id;
            """,
            r => (CitizenId: r.GetString(0), Version: r.GetInt64(1), Field: r.IsDBNull(2) ? null : new GoldenField(r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), StoreTime.Parse(r.GetString(6)))),
            // One array: passed alone it would be taken for the parameters themselves.
            (object)citizens.ToArray()).ConfigureAwait(false);
        foreach (var citizen in rows.GroupBy(r => r.CitizenId, StringComparer.Ordinal))
        {
            _golden[citizen.Key] = (citizen.First().Version, [.. citizen.Select(r => r.Field).OfType<GoldenField>()]);
        }
    }

    public async Task<ITermFrequencies> GetTermFrequenciesAsync(IReadOnlyCollection<NormalisedRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        await ReadNameCountsAsync(records).ConfigureAwait(false);
        return _names.For(records);
    }

    /// <summary>Reads the counts of the records' names not known yet, and the total if it is not, in one round trip.</summary>
    private async Task ReadNameCountsAsync(IReadOnlyCollection<NormalisedRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var (families, givens) = _names.Missing(records);
        if (_names.HasTotal && families.Length == 0 && givens.Length == 0)
        {
            return;
        }

        // Both names' counts, kept by a trigger (see PostgresSchema), after the held-back writes; the total as committed
        // and this session's records added since (it adds them to the row at its commit).
        var rows = await ReadAfterPendingAsync(
            """
            SELECT 'total', NULL, total + $3 FROM record_count
            UNION ALL
            SELECT 'family', name, count FROM name_counts WHERE kind = 'family' AND name = ANY($1) AND count > 0
            UNION ALL
            SELECT 'given', name, count FROM name_counts WHERE kind = 'given' AND name = ANY($2) AND count > 0;
            """,
            r => (Kind: r.GetString(0), Name: r.IsDBNull(1) ? null : r.GetString(1), Count: r.GetInt64(2)),
            families,
            givens,
            _recordCountChange).ConfigureAwait(false);
        _names.Read(
            rows.Single(r => r.Kind == "total").Count,
            families,
            givens,
            rows.Where(r => r.Kind != "total").Select(r => (r.Kind, r.Name!, r.Count)));
    }

    public async Task<IReadOnlyList<NormalisedRecord>> GetLinkedRecordsAsync(string citizenId)
    {
        if (_linked.TryGet(citizenId, out var known))
        {
            return known;
        }

        await FlushAsync().ConfigureAwait(false);
        var json = await connection.QueryAsync<string>(
            "SELECT normalised_json FROM source_records WHERE citizen_id = @citizenId ORDER BY source_system, source_key;",
            new { citizenId },
            transaction).ConfigureAwait(false);
        IReadOnlyList<NormalisedRecord> linked = [.. json.Select(StoreJson.Deserialize<NormalisedRecord>)];
        _linked.Keep(citizenId, linked);
        return linked;
    }

    public Task<string> CreateCitizenAsync(DateTimeOffset at)
    {
        // Version 7 GUIDs are unique without coordination and sort by creation time, so the id is known before
        // the row is written, and the write can wait for the next round trip.
        var citizenId = Guid.CreateVersion7(at).ToString("N");
        // A new citizen has no records yet, and no shown values: the save and the rebuild that follow read nothing.
        _linked.Created(citizenId);
        _golden[citizenId] = (0, []);
        InsertCitizen(citizenId, at);
        return Task.FromResult(citizenId);
    }

    private void InsertCitizen(string citizenId, DateTimeOffset at) =>
        Defer(
            "INSERT INTO citizens (citizen_id, status, version, created_at, updated_at) VALUES ($1, 'Active', 0, $2, $2);",
            citizenId,
            StoreTime.Format(at));

    public async Task SaveRecordAsync(
        string citizenId,
        SourceRecord record,
        NormalisedRecord normalised,
        string contentHash,
        IReadOnlyList<string> matchKeys,
        PairEvidence? evidence,
        DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(normalised);
        ArgumentNullException.ThrowIfNull(matchKeys);
        _linked.Saved(citizenId, StoreJson.Serialize(normalised));
        var saved = new SourceRecordRef(record.SourceSystem, record.SourceKey);
        // Whether it is held decides the record count (and whether it has old keys to take out); the resolver names
        // its records first (ExpectAsync), so this reads only for a caller that did not.
        var wasHeld = await FindRecordAsync(saved.SourceSystem, saved.SourceKey).ConfigureAwait(false) is not null;
        _held[saved] = new HeldRecord(citizenId, contentHash, record.ObservedAt);
        _names.Saved(saved, normalised);
        await WriteRecordAsync(citizenId, record, normalised, contentHash, matchKeys, evidence, wasHeld, at).ConfigureAwait(false);
    }

    private async Task WriteRecordAsync(
        string citizenId,
        SourceRecord record,
        NormalisedRecord normalised,
        string contentHash,
        IReadOnlyList<string> matchKeys,
        PairEvidence? evidence,
        bool wasHeld,
        DateTimeOffset at)
    {
        var normalisedJson = StoreJson.Serialize(normalised);
        Gained(citizenId, at);
        if (!wasHeld)
        {
            _recordCountChange++;
        }

        var blockHashes = HeldKeyIndex.HashesOf(matchKeys);
        (await CurrentKeysAsync().ConfigureAwait(false)).Set(new SourceRecordRef(record.SourceSystem, record.SourceKey), blockHashes);
        // The record with its keys' hashes and a new key version (which tells every instance to take its keys again),
        // its old identifier keys out and its new ones in, held back for the next round trip.
        Defer(
            """
            INSERT INTO source_records (source_system, source_key, citizen_id, observed_at, linked_at, content_hash,
                                        record_json, normalised_json, family_key, given_key, date_of_birth, postcode, evidence_json,
                                        family_phonetic, given_phonetic, block_hashes, key_version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, nextval('record_key_versions'))
            ON CONFLICT (source_system, source_key) DO UPDATE SET
                linked_at = CASE WHEN source_records.citizen_id = excluded.citizen_id THEN source_records.linked_at ELSE excluded.linked_at END,
                citizen_id = excluded.citizen_id,
                observed_at = excluded.observed_at,
                content_hash = excluded.content_hash,
                record_json = excluded.record_json,
                normalised_json = excluded.normalised_json,
                family_key = excluded.family_key,
                given_key = excluded.given_key,
                date_of_birth = excluded.date_of_birth,
                postcode = excluded.postcode,
                evidence_json = excluded.evidence_json,
                family_phonetic = excluded.family_phonetic,
                given_phonetic = excluded.given_phonetic,
                block_hashes = excluded.block_hashes,
                key_version = excluded.key_version;
            """,
            record.SourceSystem,
            record.SourceKey,
            citizenId,
            StoreTime.Format(record.ObservedAt),
            StoreTime.Format(at),
            contentHash,
            StoreJson.Serialize(record),
            normalisedJson,
            normalised.FamilyKey,
            normalised.GivenKey,
            normalised.DateOfBirthKey,
            normalised.Address?.Postcode,
            evidence is null ? null : StoreJson.Serialize(evidence),
            normalised.FamilyPhonetic,
            normalised.GivenPhonetic,
            HeldKeyIndex.ToBytes(blockHashes));
        if (wasHeld)
        {
            Defer("DELETE FROM match_keys WHERE source_system = $1 AND source_key = $2;", record.SourceSystem, record.SourceKey);
        }

        var identifiers = matchKeys.Where(BlockingKeys.IsIdentifier).ToArray();
        if (identifiers.Length > 0)
        {
            Defer(
                "INSERT INTO match_keys (match_key, source_system, source_key) SELECT DISTINCT k, $2, $3 FROM unnest($1::text[]) AS k ON CONFLICT DO NOTHING;",
                identifiers,
                record.SourceSystem,
                record.SourceKey);
        }
    }

    public Task MoveRecordAsync(string sourceSystem, string sourceKey, string citizenId, DateTimeOffset at)
    {
        _linked.Forget(citizenId, sourceSystem, sourceKey);
        var record = new SourceRecordRef(sourceSystem, sourceKey);
        if (_held.TryGetValue(record, out var held) && held is not null)
        {
            _held[record] = held with { CitizenId = citizenId };
        }

        WriteMove(sourceSystem, sourceKey, citizenId, at);
        return Task.CompletedTask;
    }

    private void WriteMove(string sourceSystem, string sourceKey, string citizenId, DateTimeOffset at)
    {
        Gained(citizenId, at);
        Defer(
            "UPDATE source_records SET citizen_id = $3, linked_at = $4 WHERE source_system = $1 AND source_key = $2;",
            sourceSystem,
            sourceKey,
            citizenId,
            StoreTime.Format(at));
    }

    public Task AddHistoryAsync(CitizenHistoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Defer(
            "INSERT INTO citizen_history (citizen_id, cause, source_system, source_key, related_citizen, at) VALUES ($1, $2, $3, $4, $5, $6);",
            entry.CitizenId,
            entry.Cause.ToString(),
            entry.Record?.SourceSystem,
            entry.Record?.SourceKey,
            entry.RelatedCitizenId,
            StoreTime.Format(entry.At));
        return Task.CompletedTask;
    }

    public Task RecordTallyAsync(MessageIdentity message, RunTally tally)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(tally);
        Defer(
            """
            UPDATE applied_messages SET unchanged = $1, added = $2, updated = $3, removed = $4, citizens_created = $5, linked = $6,
                merged = $7, split = $8, reviews = $9
            WHERE run_id = $10 AND kind = $11 AND sequence = $12;
            """,
            tally.Unchanged,
            tally.Added,
            tally.Updated,
            tally.Removed,
            tally.CitizensCreated,
            tally.Linked,
            tally.Merged,
            tally.Split,
            tally.Reviews,
            message.RunId,
            message.Kind,
            (long)message.Sequence);
        return Task.CompletedTask;
    }

    public Task AddReviewAsync(SourceRecordRef record, PairEvidence candidate, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(candidate);
        // The check and the insert cannot be interleaved with another writer's: this session holds the resolution lock.
        Defer(
            """
            INSERT INTO review_items (source_system, source_key, candidate_system, candidate_key, candidate_citizen,
                                      weight, evidence_json, status, created_at)
            SELECT $1, $2, $3, $4, $5, $6, $7, 'Open', $8
            WHERE NOT EXISTS (
                SELECT 1 FROM review_items
                WHERE source_system = $1 AND source_key = $2 AND status = 'Open'
                  AND candidate_system = $3 AND candidate_key = $4);
            """,
            record.SourceSystem,
            record.SourceKey,
            candidate.SourceSystem,
            candidate.SourceKey,
            candidate.CitizenId,
            candidate.Explanation.Weight,
            StoreJson.Serialize(candidate),
            StoreTime.Format(at));
        return Task.CompletedTask;
    }

    public Task AppendChangesAsync(IReadOnlyList<object> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var rows = events.Select(FeedEvents.ToChange).ToList();
        // Every event in one statement, numbered in the order given.
        return rows.Count == 0 ? Task.CompletedTask : ExecuteAsync(
            """
            INSERT INTO change_feed (at, kind, citizen_id, related_citizen, version, fields, cause_system, cause_key)
            SELECT at, kind, citizen_id, related_citizen, version, fields, cause_system, cause_key
            FROM unnest(@At, @Kind, @CitizenId, @Related, @Version, @Fields, @CauseSystem, @CauseKey)
                 WITH ORDINALITY AS e (at, kind, citizen_id, related_citizen, version, fields, cause_system, cause_key, n)
            ORDER BY n;
            """,
            new
            {
                At = rows.Select(r => StoreTime.Format(r.At)).ToArray(),
                Kind = rows.Select(r => r.Kind).ToArray(),
                CitizenId = rows.Select(r => r.CitizenId).ToArray(),
                Related = rows.Select(r => r.RelatedCitizenId).ToArray(),
                Version = rows.Select(r => r.Version).ToArray(),
                Fields = rows.Select(r => r.ChangedFields.Count == 0 ? null : string.Join(',', r.ChangedFields)).ToArray(),
                CauseSystem = rows.Select(r => r.Cause.SourceSystem).ToArray(),
                CauseKey = rows.Select(r => r.Cause.SourceKey).ToArray(),
            });
    }

    public async Task<string?> FindFormerCitizenAsync(SourceRecordRef record)
    {
        ArgumentNullException.ThrowIfNull(record);
        // Every new record that matches no one asks this. A store that never removed a record (a first load) answers
        // for the whole message at once, sparing a round trip and a flush of the deferred writes for each new citizen.
        _anyRemoved ??= await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM removed_records);", transaction: transaction).ConfigureAwait(false);
        if (_anyRemoved == false)
        {
            return null;
        }

        await FlushAsync().ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string?>(
            """
            SELECT r.citizen_id FROM removed_records r JOIN citizens c ON c.citizen_id = r.citizen_id
            WHERE r.source_system = @SourceSystem AND r.source_key = @SourceKey AND c.status = 'Removed';
            """,
            new { record.SourceSystem, record.SourceKey },
            transaction).ConfigureAwait(false);
    }

    public async Task<ReviewItem?> GetReviewAsync(long reviewId)
    {
        await FlushAsync().ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<(long Id, string SourceSystem, string SourceKey, string Evidence, string Status, string CreatedAt)?>(
            "SELECT review_id, source_system, source_key, evidence_json, status, created_at FROM review_items WHERE review_id = @reviewId;",
            new { reviewId },
            transaction).ConfigureAwait(false);
        return row is { } r
            ? new ReviewItem(r.Id, new SourceRecordRef(r.SourceSystem, r.SourceKey), StoreJson.Deserialize<PairEvidence>(r.Evidence), Enum.Parse<ReviewStatus>(r.Status), StoreTime.Parse(r.CreatedAt))
            : null;
    }

    public Task CloseReviewAsync(long reviewId, ReviewStatus status, DateTimeOffset at) =>
        ExecuteAsync(
            "UPDATE review_items SET status = @status, closed_at = @at WHERE review_id = @reviewId;",
            new { reviewId, status = status.ToString(), at = StoreTime.Format(at) });

    public Task AddStewardDecisionAsync(StewardDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        _declared.Clear();
        return ExecuteAsync(
            """
            INSERT INTO steward_decisions (review_id, source_system, source_key, other_system, other_key, decision, steward, note, at)
            VALUES (@ReviewId, @SourceSystem, @SourceKey, @OtherSystem, @OtherKey, @Decision, @Steward, @Note, @At);
            """,
            new
            {
                decision.ReviewId,
                decision.Record.SourceSystem,
                decision.Record.SourceKey,
                OtherSystem = decision.Other.SourceSystem,
                OtherKey = decision.Other.SourceKey,
                Decision = decision.SamePerson ? "Same" : "Different",
                decision.Steward,
                decision.Note,
                At = StoreTime.Format(decision.At),
            });
    }

    public async Task<StewardDeclarations> GetDeclaredAsync(SourceRecordRef record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_declared.ContainsKey(record))
        {
            // Almost always nothing: asked for every record resolved, so batches ask for theirs at once (ExpectAsync).
            await ReadDeclarationsAsync([record]).ConfigureAwait(false);
        }

        return _declared[record];
    }

    public Task SupersedeReviewsAsync(SourceRecordRef record, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        Defer(
            """
            UPDATE review_items SET status = 'Superseded', closed_at = $3
            WHERE status = 'Open'
              AND ((source_system = $1 AND source_key = $2) OR (candidate_system = $1 AND candidate_key = $2));
            """,
            record.SourceSystem,
            record.SourceKey,
            StoreTime.Format(at));
        return Task.CompletedTask;
    }

    public async Task RemoveRecordAsync(string sourceSystem, string sourceKey)
    {
        var removed = new SourceRecordRef(sourceSystem, sourceKey);
        var wasHeld = await FindRecordAsync(sourceSystem, sourceKey).ConfigureAwait(false) is not null;
        _linked.Forget(null, sourceSystem, sourceKey);
        _held[removed] = null;
        _names.Removed(removed);
        await WriteRemovalAsync(sourceSystem, sourceKey, wasHeld).ConfigureAwait(false);
    }

    private async Task WriteRemovalAsync(string sourceSystem, string sourceKey, bool wasHeld)
    {
        if (wasHeld)
        {
            _recordCountChange--;
        }

        _anyRemoved = true;
        (await CurrentKeysAsync().ConfigureAwait(false)).Remove(new SourceRecordRef(sourceSystem, sourceKey));
        Defer(
            """
            INSERT INTO removed_records (source_system, source_key, citizen_id)
            SELECT source_system, source_key, citizen_id FROM source_records WHERE source_system = $1 AND source_key = $2
            ON CONFLICT (source_system, source_key) DO UPDATE SET citizen_id = excluded.citizen_id;
            """,
            sourceSystem,
            sourceKey);
        Defer("DELETE FROM match_keys WHERE source_system = $1 AND source_key = $2;", sourceSystem, sourceKey);
        Defer("DELETE FROM source_records WHERE source_system = $1 AND source_key = $2;", sourceSystem, sourceKey);
        // Other instances take the record out of their indexes when they next catch up.
        Defer(
            "INSERT INTO removed_record_keys (key_version, source_system, source_key) VALUES (nextval('record_key_versions'), $1, $2);",
            sourceSystem,
            sourceKey);
    }

    public Task MergeAsync(string survivorId, string absorbedId, DateTimeOffset at)
    {
        _linked.Forget(survivorId);
        _linked.Forget(absorbedId);
        _golden.Remove(absorbedId);
        foreach (var (record, held) in _held.Where(h => h.Value?.CitizenId == absorbedId).ToList())
        {
            _held[record] = held! with { CitizenId = survivorId };
        }

        WriteMerge(survivorId, absorbedId, at);
        return Task.CompletedTask;
    }

    private void WriteMerge(string survivorId, string absorbedId, DateTimeOffset at)
    {
        Gained(survivorId, at);
        var when = StoreTime.Format(at);
        Defer("UPDATE source_records SET citizen_id = $1, linked_at = $3 WHERE citizen_id = $2;", survivorId, absorbedId, when);
        Defer("DELETE FROM golden_fields WHERE citizen_id = $1;", absorbedId);
        Defer(
            "UPDATE citizens SET status = 'Merged', merged_into = $1, version = version + 1, updated_at = $3 WHERE citizen_id = $2;",
            survivorId,
            absorbedId,
            when);
        Defer("UPDATE citizens SET merged_into = $1 WHERE merged_into = $2;", survivorId, absorbedId);
    }

    public async Task<GoldenRecordChange> SetGoldenRecordAsync(string citizenId, IReadOnlyList<GoldenField> fields, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!_golden.TryGetValue(citizenId, out var before))
        {
            // The citizen's version and fields as they stand, read in the round trip that sends the writes before it;
            // the rewrite is then held back like any other write (the session holds the resolution lock, so the
            // version read is the one to move on from).
            await ReadGoldenRecordsAsync([citizenId]).ConfigureAwait(false);
            if (!_golden.TryGetValue(citizenId, out before))
            {
                throw new InvalidOperationException($"Citizen {citizenId} is not in the store.");
            }
        }

        if (fields.Count == 0)
        {
            _linked.MarkedRemoved(citizenId);
        }

        var diff = GoldenRecordDiff.Between(before.Fields, fields);
        var version = before.Version + (diff.Rewritten ? 1 : 0);
        _golden[citizenId] = (version, [.. fields]);
        WriteGoldenRecord(citizenId, diff.Removed, diff.Written, version, fields.Count == 0, diff.Rewritten, at);
        return new GoldenRecordChange(version, diff.Changed);
    }

    private void WriteGoldenRecord(
        string citizenId, IReadOnlyList<string> removed, IReadOnlyList<GoldenField> written, long version, bool empty, bool rewritten, DateTimeOffset at)
    {
        if (removed.Count > 0)
        {
            Defer("DELETE FROM golden_fields WHERE citizen_id = $1 AND field = ANY($2);", citizenId, removed.ToArray());
        }

        if (written.Count > 0)
        {
            Defer(
                """
                INSERT INTO golden_fields (citizen_id, field, value, source_system, source_key, observed_at)
                SELECT $1, field, value, source_system, source_key, observed_at
                FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS f (field, value, source_system, source_key, observed_at)
                ON CONFLICT (citizen_id, field) DO UPDATE SET
                    value = excluded.value, source_system = excluded.source_system,
                    source_key = excluded.source_key, observed_at = excluded.observed_at;
                """,
                citizenId,
                written.Select(f => f.Field).ToArray(),
                written.Select(f => f.Value).ToArray(),
                written.Select(f => f.SourceSystem).ToArray(),
                written.Select(f => f.SourceKey).ToArray(),
                written.Select(f => StoreTime.Format(f.ObservedAt)).ToArray());
        }

        Defer(
            """
            UPDATE citizens SET
                version = $2,
                status = CASE WHEN $3 THEN 'Removed' ELSE 'Active' END,
                updated_at = CASE WHEN $4 THEN $5 ELSE updated_at END
            WHERE citizen_id = $1;
            """,
            citizenId,
            version,
            empty,
            rewritten,
            StoreTime.Format(at));
    }

    public async Task<bool> SetRestrictionAsync(string citizenId, bool restricted, DateTimeOffset at)
    {
        var (before, holdsRecords) = (await ReadAfterPendingAsync(
            $"""
            SELECT EXISTS (SELECT 1 FROM ({StoreReads.RestrictedCitizens}) r WHERE r.citizen_id = $1),
                   EXISTS (SELECT 1 FROM source_records WHERE citizen_id = $1);
            """,
            r => (r.GetBoolean(0), r.GetBoolean(1)),
            citizenId).ConfigureAwait(false))[0];
        WriteRestriction(citizenId, restricted, at);
        // Placed on no records (a citizen that holds none) changes nothing.
        return restricted ? !before && holdsRecords : before;
    }

    private void WriteRestriction(string citizenId, bool restricted, DateTimeOffset at)
    {
        if (restricted)
        {
            Defer(
                """
                INSERT INTO restricted_records (source_system, source_key, placed_at)
                SELECT source_system, source_key, $2 FROM source_records WHERE citizen_id = $1
                ON CONFLICT DO NOTHING;
                """,
                citizenId,
                StoreTime.Format(at));
        }
        else
        {
            // Lifted from the records it had removed since, too: one coming back must not bring the restriction back.
            Defer(
                """
                DELETE FROM restricted_records WHERE (source_system, source_key) IN (
                    SELECT source_system, source_key FROM source_records WHERE citizen_id = $1
                    UNION ALL SELECT source_system, source_key FROM removed_records WHERE citizen_id = $1);
                """,
                citizenId);
        }
    }

    public async Task<IReadOnlyDictionary<SourceRecordRef, string>> GetSuppressedAsync(IReadOnlyCollection<SourceRecordRef> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return new Dictionary<SourceRecordRef, string>();
        }

        var rows = await ReadAfterPendingAsync(
            """
            SELECT s.source_system, s.source_key, s.content_hash FROM suppressed_records s
            JOIN unnest($1::text[], $2::text[]) AS r (source_system, source_key) ON s.source_system = r.source_system AND s.source_key = r.source_key;
            """,
            r => (new SourceRecordRef(r.GetString(0), r.GetString(1)), r.GetString(2)),
            records.Select(r => r.SourceSystem).ToArray(),
            records.Select(r => r.SourceKey).ToArray()).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Item1, r => r.Item2);
    }

    public Task LiftSuppressionAsync(SourceRecordRef record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Defer("DELETE FROM suppressed_records WHERE source_system = $1 AND source_key = $2;", record.SourceSystem, record.SourceKey);
        return Task.CompletedTask;
    }

    public Task EraseCitizenAsync(string citizenId, IReadOnlyList<SuppressedRecord> records, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(records);
        _linked.MarkedRemoved(citizenId);
        _golden.Remove(citizenId);
        WriteErasure(citizenId, records, at);
        return Task.CompletedTask;
    }

    private void WriteErasure(string citizenId, IReadOnlyList<SuppressedRecord> records, DateTimeOffset at)
    {
        var when = StoreTime.Format(at);
        if (records.Count > 0)
        {
            Defer(
                """
                INSERT INTO suppressed_records (source_system, source_key, content_hash, erased_at)
                SELECT source_system, source_key, content_hash, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS r (source_system, source_key, content_hash)
                ON CONFLICT (source_system, source_key) DO UPDATE SET content_hash = excluded.content_hash, erased_at = excluded.erased_at;
                """,
                records.Select(r => r.Record.SourceSystem).ToArray(),
                records.Select(r => r.Record.SourceKey).ToArray(),
                records.Select(r => r.ContentHash).ToArray(),
                when);
        }

        // A command with parameters holds one statement on PostgreSQL's extended protocol, and takes only those it uses.
        foreach (var statement in ErasureSql.Statements("$1", "$2").Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (statement.Contains("$2", StringComparison.Ordinal))
            {
                Defer(statement.TrimEnd(';') + ";", citizenId, when);
            }
            else
            {
                Defer(statement.TrimEnd(';') + ";", citizenId);
            }
        }
    }

    private void Gained(string citizenId, DateTimeOffset at)
    {
        _gained.Add(citizenId);
        _lastWriteAt = at;
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_recordCountChange != 0)
        {
            Defer("UPDATE record_count SET total = total + $1;", _recordCountChange);
        }

        if (_gained.Count > 0)
        {
            // A record that joins a restricted person is that person's: restricted with the rest, so that the
            // restriction stays when the records it was first placed on leave (a resident who moves and whose old
            // account closes is the case it exists for).
            Defer(
                $"""
                INSERT INTO restricted_records (source_system, source_key, placed_at)
                SELECT s.source_system, s.source_key, $2 FROM source_records s
                WHERE s.citizen_id IN (SELECT r.citizen_id FROM ({StoreReads.RestrictedCitizens}) r WHERE r.citizen_id = ANY($1))
                ON CONFLICT DO NOTHING;
                """,
                _gained.ToArray(),
                StoreTime.Format(_lastWriteAt));
        }

        await FlushAsync().ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        keys.Commit();
    }

    /// <summary>
    /// The index, first brought up to date: loaded whole from every record held the first time (or after a load
    /// failed), otherwise from the records saved or removed since the key version it last read (by any instance, this
    /// one included: its own saves come back, and setting a record's keys again changes nothing). Versions are taken
    /// under the resolution lock, so they are in commit order and a catch-up misses none.
    /// </summary>
    private async ValueTask<HeldKeyIndex> CurrentKeysAsync()
    {
        if (_keysCurrent)
        {
            return keys;
        }

        // A record saved before the key versions (PostgreSQL migration 4) has no hashes: its keys are made again.
        var full = keys.Generation < 0;
        if (full)
        {
            keys.Clear();
        }

        // Each row is applied as it is read: a first load reads every record held, and keeps only their versions.
        var missedRemovals = false;
        var versions = await ReadAfterPendingAsync(
            full
                ? """
                  SELECT source_system, source_key, block_hashes, key_version,
                         CASE WHEN block_hashes IS NULL THEN normalised_json END, false
                  FROM source_records;
                  """
                : """
                  SELECT source_system, source_key, block_hashes, key_version, NULL::text, false
                  FROM source_records WHERE key_version > $1
                  UNION ALL
                  SELECT source_system, source_key, NULL, key_version, NULL, true
                  FROM removed_record_keys WHERE key_version > $1
                  UNION ALL
                  SELECT '', '', NULL, through, NULL, NULL
                  FROM removed_record_keys_pruned WHERE through > $1
                  ORDER BY 4;
                  """,
            r =>
            {
                if (r.IsDBNull(5))
                {
                    // Notes of removals newer than this index were pruned (PostgresCitizenStore.PruneRemovedKeysAsync).
                    missedRemovals = true;
                    return 0;
                }

                var record = new SourceRecordRef(r.GetString(0), r.GetString(1));
                if (r.GetBoolean(5))
                {
                    keys.Load(record, null);
                }
                else
                {
                    keys.Load(record, HeldKeyIndex.StoredHashes(r.IsDBNull(2) ? null : r.GetFieldValue<byte[]>(2), () => r.GetString(4)));
                }

                return r.IsDBNull(3) ? 0 : r.GetInt64(3);
            },
            full ? [] : [keys.Generation]).ConfigureAwait(false);
        if (missedRemovals)
        {
            keys.Clear();
            return await CurrentKeysAsync().ConfigureAwait(false);
        }

        keys.Generation = Math.Max(Math.Max(keys.Generation, 0), versions.Count == 0 ? 0 : versions.Max());
        _keysCurrent = true;
        return keys;
    }

    /// <summary>A statement that runs now, after the held-back writes that came before it.</summary>
    private async Task ExecuteAsync(string sql, object parameters)
    {
        await FlushAsync().ConfigureAwait(false);
        await connection.ExecuteAsync(sql, parameters, transaction).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // Changes not committed come out of the index as the transaction takes them out of the database (nothing is
        // journalled after a commit); then the transaction's end releases the resolution lock, and the index is free.
        keys.Rollback();
        try
        {
            // Disposing an uncommitted transaction rolls it back, which also releases the resolution lock.
            await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            keysInUse.Release();
        }
    }
}
