using CitizenHub.Contracts;
using CitizenHub.Matching;
using CitizenHub.Matching.Identity;
using CitizenHub.Matching.Linking;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Store.Sqlite;

/// <summary>One message's writes in one SQLite transaction, holding the store's writer slot until disposed.</summary>
/// <param name="keys">The store's blocking keys in memory (<see cref="HeldKeyIndex"/>); this session brings it up to date when it needs it.</param>
internal sealed partial class SqliteResolutionSession(SqliteConnection connection, SqliteTransaction transaction, SemaphoreSlim writer, HeldKeyIndex keys, NormalisedRecordCache normalisedForms)
    : IResolutionSession
{
    private readonly SessionStatements _statements = new(connection, transaction);

    /// <summary>Citizens this session linked or moved records to: the restriction of any of them spreads to all its records at the commit.</summary>
    private readonly HashSet<string> _gained = new(StringComparer.Ordinal);
    private DateTimeOffset _lastWriteAt;

    private bool _keysCurrent;
    private bool _keysChanged;
    private bool _disposed;

    private void InsertCitizen(string citizenId, DateTimeOffset at) =>
        _statements.Execute(
            """
            INSERT INTO citizens (citizen_id, status, version, created_at, updated_at)
            VALUES (@citizenId, 'Active', 0, @at, @at);
            """,
            ("@citizenId", citizenId),
            ("@at", StoreTime.ToTicks(at)));

    private void WriteRecord(
        string citizenId,
        SourceRecord record,
        NormalisedRecord normalised,
        string contentHash,
        IReadOnlyList<string> matchKeys,
        PairEvidence? evidence,
        DateTimeOffset at)
    {
        var blockHashes = HeldKeyIndex.HashesOf(matchKeys);
        Gained(citizenId, at);
        _statements.Execute(
            """
            INSERT INTO source_records (source_system, source_key, citizen_id, observed_at, linked_at, content_hash,
                                        record, family_key, given_key, date_of_birth, postcode, evidence,
                                        family_phonetic, given_phonetic, block_hashes)
            VALUES (@SourceSystem, @SourceKey, @citizenId, @ObservedAt, @at, @contentHash,
                    @Record, @FamilyKey, @GivenKey, @DateOfBirth, @Postcode, @EvidenceJson,
                    @FamilyPhonetic, @GivenPhonetic, @BlockHashes)
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
                block_hashes = excluded.block_hashes;
            DELETE FROM match_keys WHERE source_system = @SourceSystem AND source_key = @SourceKey;
            """,
            ("@SourceSystem", record.SourceSystem),
            ("@SourceKey", record.SourceKey),
            ("@citizenId", citizenId),
            ("@ObservedAt", StoreTime.ToTicks(record.ObservedAt)),
            ("@at", StoreTime.ToTicks(at)),
            ("@contentHash", StoredDigest.Encode(contentHash)),
            ("@Record", StoredRecord.Encode(record)),
            ("@FamilyKey", normalised.FamilyKey),
            ("@GivenKey", normalised.GivenKey),
            ("@DateOfBirth", normalised.DateOfBirthKey),
            ("@Postcode", normalised.Address?.Postcode),
            ("@EvidenceJson", evidence is null ? null : StoredEvidence.Encode(evidence)),
            ("@FamilyPhonetic", normalised.FamilyPhonetic),
            ("@GivenPhonetic", normalised.GivenPhonetic),
            ("@BlockHashes", HeldKeyIndex.ToBytes(blockHashes)));
        CurrentKeys().Set(new SourceRecordRef(record.SourceSystem, record.SourceKey), blockHashes);
        _keysChanged = true;
        // The identifiers are kept in a table as well: the search finds records by them (SearchAsync).
        foreach (var matchKey in matchKeys.Where(BlockingKeys.IsIdentifier))
        {
            _statements.Execute(
                "INSERT INTO match_keys (match_key, source_system, source_key) VALUES (@matchKey, @SourceSystem, @SourceKey) ON CONFLICT DO NOTHING;",
                ("@matchKey", matchKey),
                ("@SourceSystem", record.SourceSystem),
                ("@SourceKey", record.SourceKey));
        }
    }

    private void WriteMove(string sourceSystem, string sourceKey, string citizenId, DateTimeOffset at)
    {
        Gained(citizenId, at);
        _statements.Execute(
            "UPDATE source_records SET citizen_id = @citizenId, linked_at = @at WHERE source_system = @sourceSystem AND source_key = @sourceKey;",
            ("@sourceSystem", sourceSystem),
            ("@sourceKey", sourceKey),
            ("@citizenId", citizenId),
            ("@at", StoreTime.ToTicks(at)));
    }

    private Task AddHistoryAsync(CitizenHistoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _statements.Execute(
            """
            INSERT INTO citizen_history (citizen_id, seq, cause, source_system, source_key, related_citizen, at)
            VALUES (@CitizenId, (SELECT IFNULL(MAX(seq), 0) + 1 FROM citizen_history WHERE citizen_id = @CitizenId),
                    @Cause, @SourceSystem, @SourceKey, @RelatedCitizenId, @At);
            """,
            ("@CitizenId", entry.CitizenId),
            ("@Cause", entry.Cause.ToString()),
            ("@SourceSystem", entry.Record?.SourceSystem),
            ("@SourceKey", entry.Record?.SourceKey),
            ("@RelatedCitizenId", entry.RelatedCitizenId),
            ("@At", StoreTime.ToTicks(entry.At)));
        return Task.CompletedTask;
    }

    private Task RecordTallyAsync(MessageIdentity message, RunTally tally)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(tally);
        _statements.Execute(
            """
            UPDATE applied_messages SET unchanged = @Unchanged, added = @Added, updated = @Updated, removed = @Removed,
                citizens_created = @CitizensCreated, linked = @Linked, merged = @Merged, split = @Split, reviews = @Reviews
            WHERE run_id = @RunId AND kind = @Kind AND sequence = @Sequence;
            """,
            ("@Unchanged", tally.Unchanged),
            ("@Added", tally.Added),
            ("@Updated", tally.Updated),
            ("@Removed", tally.Removed),
            ("@CitizensCreated", tally.CitizensCreated),
            ("@Linked", tally.Linked),
            ("@Merged", tally.Merged),
            ("@Split", tally.Split),
            ("@Reviews", tally.Reviews),
            ("@RunId", message.RunId.ToString()),
            ("@Kind", message.Kind),
            ("@Sequence", message.Sequence));
        return Task.CompletedTask;
    }

    private Task AddReviewAsync(SourceRecordRef record, PairEvidence candidate, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(candidate);
        _statements.Execute(
            """
            INSERT INTO review_items (source_system, source_key, candidate_system, candidate_key, candidate_citizen,
                                      weight, evidence, status, created_at)
            SELECT @SourceSystem, @SourceKey, @CandidateSystem, @CandidateKey, @CitizenId, @Weight, @EvidenceJson, 'Open', @at
            WHERE NOT EXISTS (
                SELECT 1 FROM review_items
                WHERE source_system = @SourceSystem AND source_key = @SourceKey AND status = 'Open'
                  AND candidate_system = @CandidateSystem AND candidate_key = @CandidateKey);
            """,
            ("@SourceSystem", record.SourceSystem),
            ("@SourceKey", record.SourceKey),
            ("@CandidateSystem", candidate.SourceSystem),
            ("@CandidateKey", candidate.SourceKey),
            ("@CitizenId", candidate.CitizenId),
            ("@Weight", candidate.Explanation.Weight),
            ("@EvidenceJson", StoredEvidence.EncodeForReview(candidate)),
            ("@at", StoreTime.ToTicks(at)));
        return Task.CompletedTask;
    }

    private Task AppendChangesAsync(IReadOnlyList<object> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var change in events.Select(FeedEvents.ToChange))
        {
            _statements.Execute(
                """
                INSERT INTO change_feed (at, kind, citizen_id, related_citizen, version, fields, cause_system, cause_key)
                VALUES (@At, @Kind, @CitizenId, @Related, @Version, @Fields, @CauseSystem, @CauseKey);
                """,
                ("@At", StoreTime.ToTicks(change.At)),
                ("@Kind", change.Kind),
                ("@CitizenId", change.CitizenId),
                ("@Related", change.RelatedCitizenId),
                ("@Version", change.Version),
                ("@Fields", change.ChangedFields.Count == 0 ? null : string.Join(',', change.ChangedFields)),
                ("@CauseSystem", change.Cause.SourceSystem),
                ("@CauseKey", change.Cause.SourceKey));
        }

        return Task.CompletedTask;
    }

    public Task<ReviewItem?> GetReviewAsync(long reviewId) => StoreReads.GetReviewAsync(connection, reviewId, transaction);

    private Task CloseReviewAsync(long reviewId, ReviewStatus status, DateTimeOffset at)
    {
        _statements.Execute(
            "UPDATE review_items SET status = @status, closed_at = @at WHERE review_id = @reviewId;",
            ("@reviewId", reviewId),
            ("@status", status.ToString()),
            ("@at", StoreTime.ToTicks(at)));
        return Task.CompletedTask;
    }

    private Task AddStewardDecisionAsync(StewardDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        _statements.Execute(
            """
            INSERT INTO steward_decisions (review_id, source_system, source_key, other_system, other_key, decision, steward, note, at)
            VALUES (@ReviewId, @SourceSystem, @SourceKey, @OtherSystem, @OtherKey, @Decision, @Steward, @Note, @At);
            """,
            ("@ReviewId", decision.ReviewId),
            ("@SourceSystem", decision.Record.SourceSystem),
            ("@SourceKey", decision.Record.SourceKey),
            ("@OtherSystem", decision.Other.SourceSystem),
            ("@OtherKey", decision.Other.SourceKey),
            ("@Decision", decision.SamePerson ? "Same" : "Different"),
            ("@Steward", decision.Steward),
            ("@Note", decision.Note),
            ("@At", StoreTime.ToTicks(decision.At)));
        return Task.CompletedTask;
    }

    private Task SupersedeReviewsAsync(SourceRecordRef record, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        _statements.Execute(
            """
            -- Two statements, one an index each: as one, with OR, SQLite read every open review instead.
            UPDATE review_items SET status = 'Superseded', closed_at = @at
            WHERE source_system = @SourceSystem AND source_key = @SourceKey AND status = 'Open';
            UPDATE review_items SET status = 'Superseded', closed_at = @at
            WHERE candidate_system = @SourceSystem AND candidate_key = @SourceKey AND status = 'Open';
            """,
            ("@SourceSystem", record.SourceSystem),
            ("@SourceKey", record.SourceKey),
            ("@at", StoreTime.ToTicks(at)));
        return Task.CompletedTask;
    }

    private void WriteRemoval(string sourceSystem, string sourceKey)
    {
        CurrentKeys().Remove(new SourceRecordRef(sourceSystem, sourceKey));
        _keysChanged = true;
        _statements.Execute(
            """
            INSERT INTO removed_records (source_system, source_key, citizen_id)
            SELECT source_system, source_key, citizen_id FROM source_records WHERE source_system = @sourceSystem AND source_key = @sourceKey
            ON CONFLICT (source_system, source_key) DO UPDATE SET citizen_id = excluded.citizen_id;
            DELETE FROM match_keys WHERE source_system = @sourceSystem AND source_key = @sourceKey;
            DELETE FROM source_records WHERE source_system = @sourceSystem AND source_key = @sourceKey;
            """,
            ("@sourceSystem", sourceSystem),
            ("@sourceKey", sourceKey));
    }

    private void WriteMerge(string survivorId, string absorbedId, DateTimeOffset at)
    {
        Gained(survivorId, at);
        _statements.Execute(
            """
            UPDATE source_records SET citizen_id = @survivorId, linked_at = @at WHERE citizen_id = @absorbedId;
            UPDATE citizens SET golden = NULL, status = 'Merged', merged_into = @survivorId, version = version + 1, updated_at = @at
            WHERE citizen_id = @absorbedId;
            UPDATE citizens SET merged_into = @survivorId WHERE merged_into = @absorbedId;
            """,
            ("@survivorId", survivorId),
            ("@absorbedId", absorbedId),
            ("@at", StoreTime.ToTicks(at)));
    }

    private void WriteGoldenRecord(string citizenId, IReadOnlyList<GoldenField> fields, long version, bool rewritten, DateTimeOffset at) =>
        _statements.Execute(
            """
            UPDATE citizens SET golden = @golden, version = @version, status = CASE WHEN @empty THEN 'Removed' ELSE 'Active' END,
                updated_at = CASE WHEN @changed THEN @at ELSE updated_at END
            WHERE citizen_id = @citizenId;
            """,
            ("@citizenId", citizenId),
            ("@golden", GoldenRow.Encode(fields)),
            ("@version", version),
            ("@empty", fields.Count == 0),
            ("@changed", rewritten),
            ("@at", StoreTime.ToTicks(at)));

    private void WriteRestriction(string citizenId, bool restricted, DateTimeOffset at) =>
        _statements.Execute(
            restricted
                ? """
                  INSERT INTO restricted_records (source_system, source_key, placed_at)
                  SELECT source_system, source_key, @at FROM source_records WHERE citizen_id = @citizenId
                  ON CONFLICT DO NOTHING;
                  """
                // Lifted from the records it had removed since, too: one coming back must not bring the restriction back.
                : """
                  DELETE FROM restricted_records WHERE (source_system, source_key) IN (
                      SELECT source_system, source_key FROM source_records WHERE citizen_id = @citizenId
                      UNION ALL SELECT source_system, source_key FROM removed_records WHERE citizen_id = @citizenId);
                  """,
            ("@citizenId", citizenId),
            ("@at", StoreTime.ToTicks(at)));

    public Task<IReadOnlyDictionary<SourceRecordRef, string>> GetSuppressedAsync(IReadOnlyCollection<SourceRecordRef> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var suppressed = new Dictionary<SourceRecordRef, string>();
        // Most stores have none: one look at the table spares a look for every record.
        if (records.Count == 0 || _statements.Scalar<long>("SELECT EXISTS (SELECT 1 FROM suppressed_records);") == 0)
        {
            return Task.FromResult<IReadOnlyDictionary<SourceRecordRef, string>>(suppressed);
        }

        foreach (var record in records)
        {
            if (_statements.Scalar<byte[]>(
                    "SELECT content_hash FROM suppressed_records WHERE source_system = @system AND source_key = @key;",
                    ("@system", record.SourceSystem),
                    ("@key", record.SourceKey)) is { } hash)
            {
                suppressed[record] = StoredDigest.Decode(hash);
            }
        }

        return Task.FromResult<IReadOnlyDictionary<SourceRecordRef, string>>(suppressed);
    }

    private Task LiftSuppressionAsync(SourceRecordRef record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _statements.Execute(
            "DELETE FROM suppressed_records WHERE source_system = @system AND source_key = @key;",
            ("@system", record.SourceSystem),
            ("@key", record.SourceKey));
        return Task.CompletedTask;
    }

    private void WriteErasure(string citizenId, IReadOnlyList<SuppressedRecord> records, DateTimeOffset at)
    {
        foreach (var suppressed in records)
        {
            _statements.Execute(
                """
                INSERT INTO suppressed_records (source_system, source_key, content_hash, erased_at) VALUES (@system, @key, @hash, @at)
                ON CONFLICT (source_system, source_key) DO UPDATE SET content_hash = excluded.content_hash, erased_at = excluded.erased_at;
                """,
                ("@system", suppressed.Record.SourceSystem),
                ("@key", suppressed.Record.SourceKey),
                ("@hash", StoredDigest.Encode(suppressed.ContentHash)),
                ("@at", StoreTime.ToTicks(at)));
        }

        _statements.Execute(ErasureSql.Statements("@citizenId", "@at", numbersHistory: true), ("@citizenId", citizenId), ("@at", StoreTime.ToTicks(at)));
    }

    private void Gained(string citizenId, DateTimeOffset at)
    {
        _gained.Add(citizenId);
        _lastWriteAt = at;
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_gained.Count > 0)
        {
            // A record that joins a restricted person is that person's: restricted with the rest, so that the
            // restriction stays when the records it was first placed on leave (a resident who moves and whose old
            // account closes is the case it exists for).
            _statements.Execute(
                $"""
                INSERT INTO restricted_records (source_system, source_key, placed_at)
                SELECT s.source_system, s.source_key, @at FROM source_records s
                WHERE s.citizen_id IN (SELECT citizen_id FROM ({StoreReads.RestrictedCitizens}) WHERE citizen_id IN (SELECT value FROM json_each(@citizens)))
                ON CONFLICT DO NOTHING;
                """,
                ("@citizens", System.Text.Json.JsonSerializer.Serialize(_gained)),
                ("@at", StoreTime.ToTicks(_lastWriteAt)));
        }

        // Another store on the file (another process) learns from the new generation that its index is out of date.
        var generation = _keysChanged
            ? _statements.Scalar<long>("UPDATE key_index_generation SET generation = generation + 1 RETURNING generation;")
            : keys.Generation;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        keys.Commit();
        keys.Generation = generation;
    }

    /// <summary>
    /// The index, first brought up to date if the file has changed since it was loaded or last written by this store:
    /// loaded afresh from every record held (the first time, or after another process wrote to the file).
    /// </summary>
    private HeldKeyIndex CurrentKeys()
    {
        if (_keysCurrent)
        {
            return keys;
        }

        var generation = _statements.Scalar<long>("SELECT generation FROM key_index_generation;");
        if (keys.Generation != generation)
        {
            keys.Clear();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            // A record saved before migration 15 has no hashes kept: its keys are made again from the record.
            command.CommandText = """
                SELECT source_system, source_key, block_hashes, CASE WHEN block_hashes IS NULL THEN record END
                FROM source_records;
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var hashes = HeldKeyIndex.StoredHashes(reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2), () => reader.GetFieldValue<byte[]>(3));
                keys.Load(new SourceRecordRef(reader.GetString(0), reader.GetString(1)), hashes);
            }

            keys.Generation = generation;
        }

        _keysCurrent = true;
        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // Changes not committed are taken out of the index as the transaction takes them out of the file (nothing is
        // journalled after a commit).
        keys.Rollback();
        _statements.Dispose();
        await transaction.DisposeAsync().ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
        writer.Release();
    }
}
