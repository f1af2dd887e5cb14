using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
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
    NpgsqlConnection connection, NpgsqlTransaction transaction, HeldKeyIndex keys, SemaphoreSlim keysInUse, NormalisedRecordCache normalisedForms) : IResolutionSession
{
    private readonly List<NpgsqlBatchCommand> _pending = [];

    /// <summary>Records this session added less those it removed: added to <c>record_count</c> at the commit (migration 5).</summary>
    private long _recordCountChange;

    /// <summary>Citizens this session linked or moved records to: the restriction of any of them spreads to all its records at the commit.</summary>
    private readonly HashSet<string> _gained = new(StringComparer.Ordinal);
    private DateTimeOffset _lastWriteAt;
    private bool _keysCurrent;

    private bool _disposed;

    /// <summary>Holds a write back until the next read or the commit; values are positional (<c>$1</c>, <c>$2</c>, …).</summary>
    private void Defer(string sql, params object?[] values) => _pending.Add(Command(sql, values));

    /// <summary>A null for a column of bytes, which a null sent as text cannot fill.</summary>
    private static readonly TypedNull NullBytes = new(NpgsqlTypes.NpgsqlDbType.Bytea);

    private static NpgsqlBatchCommand Command(string sql, object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            // A null is sent as text (every nullable value held back here is): an untyped one makes the parameter
            // types differ from call to call, and with them the prepared statement, which was then parsed and
            // planned again for half the records saved.
            command.Parameters.Add(value switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                TypedNull typed => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = typed.Type },
                _ => new NpgsqlParameter { Value = value },
            });
        }

        return command;
    }

    private sealed record TypedNull(NpgsqlTypes.NpgsqlDbType Type);

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

    private void InsertCitizen(string citizenId, DateTimeOffset at) =>
        Defer(
            "INSERT INTO citizens (citizen_id, status, version, created_at, updated_at) VALUES ($1, 'Active', 0, $2, $2);",
            citizenId,
            StoreTime.ToTicks(at));

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
                                        record, family_key, given_key, date_of_birth, postcode, evidence,
                                        family_phonetic, given_phonetic, block_hashes, key_version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, nextval('record_key_versions'))
            ON CONFLICT (source_system, source_key) DO UPDATE SET
                linked_at = CASE WHEN source_records.citizen_id = excluded.citizen_id THEN source_records.linked_at ELSE excluded.linked_at END,
                citizen_id = excluded.citizen_id,
                observed_at = excluded.observed_at,
                content_hash = excluded.content_hash,
                record = excluded.record,
                family_key = excluded.family_key,
                given_key = excluded.given_key,
                date_of_birth = excluded.date_of_birth,
                postcode = excluded.postcode,
                evidence = excluded.evidence,
                family_phonetic = excluded.family_phonetic,
                given_phonetic = excluded.given_phonetic,
                block_hashes = excluded.block_hashes,
                key_version = excluded.key_version;
            """,
            record.SourceSystem,
            record.SourceKey,
            citizenId,
            StoreTime.ToTicks(record.ObservedAt),
            StoreTime.ToTicks(at),
            StoredDigest.Encode(contentHash),
            StoredRecord.Encode(record),
            normalised.FamilyKey,
            normalised.GivenKey,
            normalised.DateOfBirthKey,
            normalised.Address?.Postcode,
            evidence is null ? NullBytes : StoredEvidence.Encode(evidence),
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

    private void WriteMove(string sourceSystem, string sourceKey, string citizenId, DateTimeOffset at)
    {
        Gained(citizenId, at);
        Defer(
            "UPDATE source_records SET citizen_id = $3, linked_at = $4 WHERE source_system = $1 AND source_key = $2;",
            sourceSystem,
            sourceKey,
            citizenId,
            StoreTime.ToTicks(at));
    }

    private Task AddHistoryAsync(CitizenHistoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Defer(
            "INSERT INTO citizen_history (citizen_id, cause, source_system, source_key, related_citizen, at) VALUES ($1, $2, $3, $4, $5, $6);",
            entry.CitizenId,
            entry.Cause.ToString(),
            entry.Record?.SourceSystem,
            entry.Record?.SourceKey,
            entry.RelatedCitizenId,
            StoreTime.ToTicks(entry.At));
        return Task.CompletedTask;
    }

    private Task RecordTallyAsync(MessageIdentity message, RunTally tally)
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

    private Task AddReviewAsync(SourceRecordRef record, PairEvidence candidate, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(candidate);
        // The check and the insert cannot be interleaved with another writer's: this session holds the resolution lock.
        Defer(
            """
            INSERT INTO review_items (source_system, source_key, candidate_system, candidate_key, candidate_citizen,
                                      weight, evidence, status, created_at)
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
            StoredEvidence.EncodeForReview(candidate),
            StoreTime.ToTicks(at));
        return Task.CompletedTask;
    }

    private Task AppendChangesAsync(IReadOnlyList<object> events)
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
                At = rows.Select(r => StoreTime.ToTicks(r.At)).ToArray(),
                Kind = rows.Select(r => r.Kind).ToArray(),
                CitizenId = rows.Select(r => r.CitizenId).ToArray(),
                Related = rows.Select(r => r.RelatedCitizenId).ToArray(),
                Version = rows.Select(r => r.Version).ToArray(),
                Fields = rows.Select(r => r.ChangedFields.Count == 0 ? null : string.Join(',', r.ChangedFields)).ToArray(),
                CauseSystem = rows.Select(r => r.Cause.SourceSystem).ToArray(),
                CauseKey = rows.Select(r => r.Cause.SourceKey).ToArray(),
            });
    }

    public async Task<ReviewItem?> GetReviewAsync(long reviewId)
    {
        await FlushAsync().ConfigureAwait(false);
        return await StoreReads.GetReviewAsync(connection, reviewId, transaction).ConfigureAwait(false);
    }

    private Task CloseReviewAsync(long reviewId, ReviewStatus status, DateTimeOffset at) =>
        ExecuteAsync(
            "UPDATE review_items SET status = @status, closed_at = @at WHERE review_id = @reviewId;",
            new { reviewId, status = status.ToString(), at = StoreTime.ToTicks(at) });

    private Task AddStewardDecisionAsync(StewardDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
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
                At = StoreTime.ToTicks(decision.At),
            });
    }

    private Task SupersedeReviewsAsync(SourceRecordRef record, DateTimeOffset at)
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
            StoreTime.ToTicks(at));
        return Task.CompletedTask;
    }

    private async Task WriteRemovalAsync(string sourceSystem, string sourceKey, bool wasHeld)
    {
        if (wasHeld)
        {
            _recordCountChange--;
        }

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

    private void WriteMerge(string survivorId, string absorbedId, DateTimeOffset at)
    {
        Gained(survivorId, at);
        var when = StoreTime.ToTicks(at);
        Defer("UPDATE source_records SET citizen_id = $1, linked_at = $3 WHERE citizen_id = $2;", survivorId, absorbedId, when);
        Defer(
            "UPDATE citizens SET golden = NULL, status = 'Merged', merged_into = $1, version = version + 1, updated_at = $3 WHERE citizen_id = $2;",
            survivorId,
            absorbedId,
            when);
        Defer("UPDATE citizens SET merged_into = $1 WHERE merged_into = $2;", survivorId, absorbedId);
    }

    private void WriteGoldenRecord(string citizenId, IReadOnlyList<GoldenField> fields, long version, bool rewritten, DateTimeOffset at) =>
        Defer(
            """
            UPDATE citizens SET
                golden = $2,
                version = $3,
                status = CASE WHEN $4 THEN 'Removed' ELSE 'Active' END,
                updated_at = CASE WHEN $5 THEN $6 ELSE updated_at END
            WHERE citizen_id = $1;
            """,
            citizenId,
            (object?)GoldenRow.Encode(fields) ?? NullBytes,
            version,
            fields.Count == 0,
            rewritten,
            StoreTime.ToTicks(at));

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
                StoreTime.ToTicks(at));
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
            r => (new SourceRecordRef(r.GetString(0), r.GetString(1)), StoredDigest.Decode(r.GetFieldValue<byte[]>(2))),
            records.Select(r => r.SourceSystem).ToArray(),
            records.Select(r => r.SourceKey).ToArray()).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Item1, r => r.Item2);
    }

    private Task LiftSuppressionAsync(SourceRecordRef record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Defer("DELETE FROM suppressed_records WHERE source_system = $1 AND source_key = $2;", record.SourceSystem, record.SourceKey);
        return Task.CompletedTask;
    }

    private void WriteErasure(string citizenId, IReadOnlyList<SuppressedRecord> records, DateTimeOffset at)
    {
        var when = StoreTime.ToTicks(at);
        if (records.Count > 0)
        {
            Defer(
                """
                INSERT INTO suppressed_records (source_system, source_key, content_hash, erased_at)
                SELECT source_system, source_key, content_hash, $4 FROM unnest($1::text[], $2::text[], $3::bytea[]) AS r (source_system, source_key, content_hash)
                ON CONFLICT (source_system, source_key) DO UPDATE SET content_hash = excluded.content_hash, erased_at = excluded.erased_at;
                """,
                records.Select(r => r.Record.SourceSystem).ToArray(),
                records.Select(r => r.Record.SourceKey).ToArray(),
                records.Select(r => StoredDigest.Encode(r.ContentHash)).ToArray(),
                when);
        }

        // A command with parameters holds one statement on PostgreSQL's extended protocol, and takes only those it uses.
        foreach (var statement in ErasureSql.Statements("$1", "$2", numbersHistory: false).Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
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
                StoreTime.ToTicks(_lastWriteAt));
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
                         CASE WHEN block_hashes IS NULL THEN record END, false
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
                    keys.Load(record, HeldKeyIndex.StoredHashes(r.IsDBNull(2) ? null : r.GetFieldValue<byte[]>(2), () => r.GetFieldValue<byte[]>(4)));
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
