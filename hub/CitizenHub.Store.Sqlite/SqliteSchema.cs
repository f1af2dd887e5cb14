namespace CitizenHub.Store.Sqlite;

/// <summary>
/// The SQLite schema as numbered migrations. A migration is never edited once released:
/// a change is a new migration at the end.
/// </summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: golden records, links, lineage, match keys, runs.
        """
        CREATE TABLE citizens (
            seq          INTEGER PRIMARY KEY,
            citizen_id   TEXT NOT NULL UNIQUE,
            status       TEXT NOT NULL,
            merged_into  TEXT NULL,
            version      INTEGER NOT NULL,
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL
        );

        CREATE TABLE source_records (
            source_system   TEXT NOT NULL,
            source_key      TEXT NOT NULL,
            citizen_id      TEXT NOT NULL REFERENCES citizens (citizen_id),
            observed_at     TEXT NOT NULL,
            linked_at       TEXT NOT NULL,
            content_hash    TEXT NOT NULL,
            record_json     TEXT NOT NULL,
            normalised_json TEXT NOT NULL,
            family_key      TEXT NULL,
            given_key       TEXT NULL,
            date_of_birth   TEXT NULL,
            postcode        TEXT NULL,
            PRIMARY KEY (source_system, source_key)
        );
        CREATE INDEX ix_source_records_citizen ON source_records (citizen_id);
        CREATE INDEX ix_source_records_name ON source_records (family_key, given_key);
        CREATE INDEX ix_source_records_dob ON source_records (date_of_birth);
        CREATE INDEX ix_source_records_postcode ON source_records (postcode);

        CREATE TABLE match_keys (
            match_key     TEXT NOT NULL,
            source_system TEXT NOT NULL,
            source_key    TEXT NOT NULL,
            PRIMARY KEY (match_key, source_system, source_key)
        );
        CREATE INDEX ix_match_keys_record ON match_keys (source_system, source_key);

        CREATE TABLE golden_fields (
            citizen_id    TEXT NOT NULL REFERENCES citizens (citizen_id),
            field         TEXT NOT NULL,
            value         TEXT NOT NULL,
            source_system TEXT NOT NULL,
            source_key    TEXT NOT NULL,
            observed_at   TEXT NOT NULL,
            PRIMARY KEY (citizen_id, field)
        );

        CREATE TABLE sync_runs (
            run_id            TEXT PRIMARY KEY,
            source_system     TEXT NOT NULL,
            started_at        TEXT NULL,
            completed_at      TEXT NULL,
            expected_messages INTEGER NULL,
            record_count      INTEGER NULL,
            reject_count      INTEGER NULL
        );

        CREATE TABLE applied_messages (
            run_id     TEXT NOT NULL,
            kind       TEXT NOT NULL,
            sequence   INTEGER NOT NULL,
            applied_at TEXT NOT NULL,
            PRIMARY KEY (run_id, kind, sequence)
        );

        CREATE TABLE failed_messages (
            run_id    TEXT NOT NULL,
            kind      TEXT NOT NULL,
            sequence  INTEGER NOT NULL,
            reason    TEXT NOT NULL,
            failed_at TEXT NOT NULL,
            PRIMARY KEY (run_id, kind, sequence)
        );
        """,

        // 2: where each source's last successful read stopped.
        """
        CREATE TABLE source_cursors (
            source_system TEXT PRIMARY KEY,
            cursor        TEXT NULL,
            run_id        TEXT NOT NULL,
            saved_at      TEXT NOT NULL
        );
        """,

        // 3: probabilistic matching. Blocking keys replace the deterministic match keys (the old keys can't be
        // found by the new ones: a store from before this migration is re-linked by a full sync), each link keeps
        // the evidence that made it, uncertain pairs wait for a steward, and every change to a citizen is kept.
        """
        DELETE FROM match_keys;
        ALTER TABLE source_records ADD COLUMN evidence_json TEXT NULL;
        CREATE INDEX ix_source_records_given ON source_records (given_key);

        CREATE TABLE review_items (
            review_id           INTEGER PRIMARY KEY,
            source_system       TEXT NOT NULL,
            source_key          TEXT NOT NULL,
            candidate_system    TEXT NOT NULL,
            candidate_key       TEXT NOT NULL,
            candidate_citizen   TEXT NOT NULL,
            weight              REAL NOT NULL,
            evidence_json       TEXT NOT NULL,
            status              TEXT NOT NULL,
            created_at          TEXT NOT NULL,
            closed_at           TEXT NULL
        );
        CREATE INDEX ix_review_items_record ON review_items (source_system, source_key, status);
        CREATE INDEX ix_review_items_status ON review_items (status, review_id);

        CREATE TABLE citizen_history (
            seq             INTEGER PRIMARY KEY,
            citizen_id      TEXT NOT NULL,
            cause           TEXT NOT NULL,
            source_system   TEXT NULL,
            source_key      TEXT NULL,
            related_citizen TEXT NULL,
            at              TEXT NOT NULL
        );
        CREATE INDEX ix_citizen_history_citizen ON citizen_history (citizen_id, seq);
        """,

        // 4: the name-only blocking key holds the two names in order of spelling rather than of field, so that
        // a record with given and family names swapped finds its match ('nm:SMITH|JOHN' becomes 'nm:JOHN|SMITH').
        // Keys are folded to A-Z, where SQLite's binary comparison is the ordinal order BlockingKeys uses.
        """
        UPDATE OR IGNORE match_keys
        SET match_key = 'nm:' || substr(match_key, instr(match_key, '|') + 1) || '|' || substr(match_key, 4, instr(match_key, '|') - 4)
        WHERE match_key LIKE 'nm:%'
          AND substr(match_key, instr(match_key, '|') + 1) < substr(match_key, 4, instr(match_key, '|') - 4);
        """,

        // 5: the audit trail of reads of citizens' data. Append-only: the triggers refuse any change or deletion,
        // so not even the hub's own code can rewrite what was read, by whom and why.
        """
        CREATE TABLE audit_log (
            seq         INTEGER PRIMARY KEY,
            at          TEXT NOT NULL,
            caller      TEXT NOT NULL,
            roles       TEXT NOT NULL,
            action      TEXT NOT NULL,
            citizen_id  TEXT NULL,
            purpose     TEXT NULL,
            fields      TEXT NOT NULL
        );
        CREATE INDEX ix_audit_log_citizen ON audit_log (citizen_id, seq);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """,

        // 6: restriction of processing: a restricted citizen is kept but hidden from agents.
        """
        ALTER TABLE citizens ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;
        """,

        // 7: stewards' decisions, kept so that the next sync never undoes them: two records a steward called
        // different people are never linked again, whatever the weights say.
        """
        CREATE TABLE steward_decisions (
            decision_id   INTEGER PRIMARY KEY,
            review_id     INTEGER NULL,
            source_system TEXT NOT NULL,
            source_key    TEXT NOT NULL,
            other_system  TEXT NOT NULL,
            other_key     TEXT NOT NULL,
            decision      TEXT NOT NULL,
            steward       TEXT NOT NULL,
            note          TEXT NULL,
            at            TEXT NOT NULL
        );
        CREATE INDEX ix_steward_decisions_record ON steward_decisions (source_system, source_key);
        CREATE INDEX ix_steward_decisions_other ON steward_decisions (other_system, other_key);
        """,

        // 8: the change feed: every event of a committed message, written in the same transaction, numbered in
        // commit order. Ids and field names only, like the bus events it mirrors.
        """
        CREATE TABLE change_feed (
            seq             INTEGER PRIMARY KEY AUTOINCREMENT,
            at              TEXT NOT NULL,
            kind            TEXT NOT NULL,
            citizen_id      TEXT NOT NULL,
            related_citizen TEXT NULL,
            version         INTEGER NULL,
            fields          TEXT NULL,
            cause_system    TEXT NOT NULL,
            cause_key       TEXT NOT NULL
        );
        """,

        // 9: names found by sound for the API's search (SMYTH finds SMITH). Rows written before this migration
        // are filled in from their normalised form when the store starts (SqliteCitizenStore.MigrateAsync).
        """
        ALTER TABLE source_records ADD COLUMN family_phonetic TEXT NULL;
        ALTER TABLE source_records ADD COLUMN given_phonetic TEXT NULL;
        CREATE INDEX ix_source_records_family_phonetic ON source_records (family_phonetic);
        CREATE INDEX ix_source_records_given_phonetic ON source_records (given_phonetic);
        CREATE INDEX ix_source_records_family ON source_records (family_key);
        """,

        // 10: the change feed is also the outbox of the bus events. A row is written in the transaction that made the
        // change and published after it; a row left unpublished (a hub stopped between commit and publish) is
        // published by the next sweep. A lease keeps two instances from publishing the same row at once.
        // Rows from before this migration were published directly.
        """
        ALTER TABLE change_feed ADD COLUMN published_at TEXT NULL;
        ALTER TABLE change_feed ADD COLUMN publish_lease_until TEXT NULL;
        UPDATE change_feed SET published_at = at;
        CREATE INDEX ix_change_feed_unpublished ON change_feed (seq) WHERE published_at IS NULL;
        """,

        // 11: a failed message is kept whole, under an id an operator can name, so it can be replayed.
        """
        CREATE TABLE failed_messages_v11 (
            failure_id  INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id      TEXT NOT NULL,
            kind        TEXT NOT NULL,
            sequence    INTEGER NOT NULL,
            reason      TEXT NOT NULL,
            failed_at   TEXT NOT NULL,
            message     TEXT NULL,
            replayed_at TEXT NULL,
            UNIQUE (run_id, kind, sequence)
        );
        INSERT INTO failed_messages_v11 (run_id, kind, sequence, reason, failed_at)
            SELECT run_id, kind, sequence, reason, failed_at FROM failed_messages ORDER BY failed_at;
        DROP TABLE failed_messages;
        ALTER TABLE failed_messages_v11 RENAME TO failed_messages;
        """,

        // 12: how many records hold each family and given name, kept by triggers. Counting them at each lookup
        // read every index entry of the name (a JOHN or a SMITH among a million records, for every record
        // resolved): resolution slowed as the store grew. A lookup is now one row.
        """
        CREATE TABLE name_counts (
            kind  TEXT NOT NULL,
            name  TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (kind, name)
        ) WITHOUT ROWID;
        INSERT INTO name_counts (kind, name, count)
            SELECT 'family', family_key, COUNT(*) FROM source_records WHERE family_key IS NOT NULL GROUP BY family_key;
        INSERT INTO name_counts (kind, name, count)
            SELECT 'given', given_key, COUNT(*) FROM source_records WHERE given_key IS NOT NULL GROUP BY given_key;

        CREATE TRIGGER tr_name_counts_insert AFTER INSERT ON source_records
        BEGIN
            INSERT INTO name_counts (kind, name, count) SELECT 'family', NEW.family_key, 1 WHERE NEW.family_key IS NOT NULL
                ON CONFLICT (kind, name) DO UPDATE SET count = count + 1;
            INSERT INTO name_counts (kind, name, count) SELECT 'given', NEW.given_key, 1 WHERE NEW.given_key IS NOT NULL
                ON CONFLICT (kind, name) DO UPDATE SET count = count + 1;
        END;

        CREATE TRIGGER tr_name_counts_delete AFTER DELETE ON source_records
        BEGIN
            UPDATE name_counts SET count = count - 1 WHERE kind = 'family' AND name = OLD.family_key;
            UPDATE name_counts SET count = count - 1 WHERE kind = 'given' AND name = OLD.given_key;
        END;

        CREATE TRIGGER tr_name_counts_update AFTER UPDATE OF family_key, given_key ON source_records
        BEGIN
            UPDATE name_counts SET count = count - 1 WHERE kind = 'family' AND name = OLD.family_key;
            UPDATE name_counts SET count = count - 1 WHERE kind = 'given' AND name = OLD.given_key;
            INSERT INTO name_counts (kind, name, count) SELECT 'family', NEW.family_key, 1 WHERE NEW.family_key IS NOT NULL
                ON CONFLICT (kind, name) DO UPDATE SET count = count + 1;
            INSERT INTO name_counts (kind, name, count) SELECT 'given', NEW.given_key, 1 WHERE NEW.given_key IS NOT NULL
                ON CONFLICT (kind, name) DO UPDATE SET count = count + 1;
        END;
        """,

        // 13: two statements that ran at every record or merge read a whole table. Superseding a record's open reviews
        // found those where it is the candidate by reading every open review (tens of thousands at a million records),
        // and a merge found the citizens forwarded to the absorbed one by reading every citizen. PostgreSQL had both
        // indexes from its first migration.
        """
        CREATE INDEX ix_review_items_candidate ON review_items (candidate_system, candidate_key, status);
        CREATE INDEX ix_citizens_merged_into ON citizens (merged_into) WHERE merged_into IS NOT NULL;
        """,

        // 14: ix_source_records_family (migration 9) repeats the first column of ix_source_records_name, which serves
        // every lookup by family name alone (the search's plan checked) while each saved record wrote both.
        """
        DROP INDEX ix_source_records_family;
        """,

        // 15: blocking keys are held in memory by the hub (HeldKeyIndex), loaded from each record's hashes of them
        // (block_hashes; made from its normalised form where a record saved before has none). Saving a record wrote ten
        // rows of keys with two index entries each, a third of its cost. match_keys keeps the identifiers, which the
        // search finds records by. The generation moves with every change to the keys, so that a process whose index was
        // loaded before another wrote to the file loads it again.
        """
        ALTER TABLE source_records ADD COLUMN block_hashes BLOB NULL;
        DELETE FROM match_keys WHERE NOT (match_key LIKE 'nhs:%' OR match_key LIKE 'ni:%' OR match_key LIKE 'uprn:%');
        CREATE TABLE key_index_generation (generation INTEGER NOT NULL);
        INSERT INTO key_index_generation (generation) VALUES (0);
        """,

        // 16: a run the runner could not finish (the source unreadable, or refused by a safeguard) says so and why:
        // without it such a run read as completed.
        """
        ALTER TABLE sync_runs ADD COLUMN failure TEXT NULL;
        ALTER TABLE sync_runs ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
        """,

        // 17: the citizen each removed record was last in, so that a record the source brings back under the same key
        // rejoins its citizen id (which answered 410 meanwhile) rather than start a new one.
        """
        CREATE TABLE removed_records (
            source_system TEXT NOT NULL,
            source_key    TEXT NOT NULL,
            citizen_id    TEXT NOT NULL,
            PRIMARY KEY (source_system, source_key)
        );
        """,

        // 18: restriction of processing belongs to the source records it was placed on, not to a citizen row: a citizen
        // is restricted while it holds one of them, so the restriction follows the person through every merge, split
        // and move, and a record that goes and comes back under its key is restricted again.
        """
        CREATE TABLE restricted_records (
            source_system TEXT NOT NULL,
            source_key    TEXT NOT NULL,
            placed_at     TEXT NOT NULL,
            PRIMARY KEY (source_system, source_key)
        );
        INSERT INTO restricted_records (source_system, source_key, placed_at)
            SELECT s.source_system, s.source_key, c.updated_at FROM source_records s
            JOIN citizens c ON c.citizen_id = s.citizen_id WHERE c.restricted = 1;
        ALTER TABLE citizens DROP COLUMN restricted;
        """,

        // 19: erasure. The records of an erased citizen are kept out of the hub while their source keeps sending them
        // unchanged: the key and a digest of what the record said, until the source removes or changes it.
        """
        CREATE TABLE suppressed_records (
            source_system TEXT NOT NULL,
            source_key    TEXT NOT NULL,
            content_hash  TEXT NOT NULL,
            erased_at     TEXT NOT NULL,
            PRIMARY KEY (source_system, source_key)
        );
        """,

        // 20: the audit trail an auditor can search: by caller, action and time as well as citizen (each with its
        // index, the sequence after it so that a page in either order is an index range), and what else a row records
        // (a search's criteria, a refusal's reason and route) as JSON in details.
        """
        ALTER TABLE audit_log ADD COLUMN details TEXT NULL;
        CREATE INDEX ix_audit_log_caller ON audit_log (caller, seq);
        CREATE INDEX ix_audit_log_action ON audit_log (action, seq);
        CREATE INDEX ix_audit_log_at ON audit_log (at, seq);
        """,

        // 21: what applying each message did (records added, updated, unchanged, removed; citizens created, linked,
        // merged, split; pairs sent for review), kept with the message so a run's summary is the sum of its messages and a
        // redelivered message is counted once; and the lock that keeps two syncs of one source from overlapping. A source's
        // runs are read newest first, as PostgreSQL's index has long served.
        """
        ALTER TABLE applied_messages ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN added INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN citizens_created INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN linked INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN merged INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN split INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN reviews INTEGER NOT NULL DEFAULT 0;

        -- Who is syncing each source, so that two syncs of one source never overlap: the run, the machine and process
        -- (with when it started, since a process id is reused), since when, and until when its lease runs unless renewed.
        CREATE TABLE sync_locks (
            source_system      TEXT PRIMARY KEY,
            run_id             TEXT NOT NULL,
            machine            TEXT NOT NULL,
            process_id         INTEGER NOT NULL,
            process_started_at TEXT NULL,
            since              TEXT NOT NULL,
            lease_until        TEXT NOT NULL
        );
        CREATE INDEX ix_sync_runs_source ON sync_runs (source_system, started_at);
        """,

        // 22: a golden record is one column of its citizen's row (GoldenRow: each field with its lineage), not a row a
        // field: fewer rows and index entries to write for every record linked. The fields held move across.
        """
        ALTER TABLE citizens ADD COLUMN golden TEXT NULL;
        UPDATE citizens SET golden = (
            SELECT json_group_array(json_array(g.field, g.value, g.source_system, g.source_key, g.observed_at))
            FROM golden_fields g WHERE g.citizen_id = citizens.citizen_id)
        WHERE EXISTS (SELECT 1 FROM golden_fields g WHERE g.citizen_id = citizens.citizen_id);
        DROP TABLE golden_fields;
        """,

        // 23: a record is kept as received only; its normalised form is made again when it is read (StoredRecord), so
        // each record writes a quarter fewer bytes.
        """
        ALTER TABLE source_records DROP COLUMN normalised_json;
        """,

        // 24: a record is kept packed (StoredRecord: Zstandard against a dictionary of the record's shape) in a column of
        // bytes; the records kept before stay as their JSON, as bytes, which still read.
        """
        ALTER TABLE source_records RENAME COLUMN record_json TO record;
        UPDATE source_records SET record = CAST(record AS BLOB);
        """,

        // 25: the records a full run found held as they are and did not send (SyncRunCompleted.UnchangedNotSent), counted
        // with its messages' unchanged records in the run's tally.
        """
        ALTER TABLE sync_runs ADD COLUMN unchanged_not_sent INTEGER NOT NULL DEFAULT 0;
        """,

        // 26: the evidence for links and reviews and the golden records are kept packed (PackedJson: Zstandard against
        // a dictionary of their shape) in columns of bytes; what was kept before stays as its JSON, as bytes, which still reads.
        """
        ALTER TABLE source_records RENAME COLUMN evidence_json TO evidence;
        ALTER TABLE review_items RENAME COLUMN evidence_json TO evidence;
        UPDATE source_records SET evidence = CAST(evidence AS BLOB) WHERE evidence IS NOT NULL;
        UPDATE review_items SET evidence = CAST(evidence AS BLOB);
        UPDATE citizens SET golden = CAST(golden AS BLOB) WHERE golden IS NOT NULL;
        """,

        // 27: the identifier keys are one index: their table is its key (WITHOUT ROWID), where a table of rows with the
        // same key as its own index kept every key twice.
        """
        CREATE TABLE match_keys_by_key (
            match_key     TEXT NOT NULL,
            source_system TEXT NOT NULL,
            source_key    TEXT NOT NULL,
            PRIMARY KEY (match_key, source_system, source_key)
        ) WITHOUT ROWID;
        INSERT INTO match_keys_by_key (match_key, source_system, source_key) SELECT match_key, source_system, source_key FROM match_keys;
        DROP TABLE match_keys;
        ALTER TABLE match_keys_by_key RENAME TO match_keys;
        CREATE INDEX ix_match_keys_record ON match_keys (source_system, source_key);
        """,

        // 28: a citizen's history is one range of a table keyed by citizen and number (WITHOUT ROWID), where a table
        // numbered across every citizen needed an index by citizen beside it, repeating each row's citizen id; the
        // store numbers each citizen's rows (the next after its last), and the rows kept keep their numbers.
        """
        CREATE TABLE citizen_history_by_citizen (
            citizen_id      TEXT NOT NULL,
            seq             INTEGER NOT NULL,
            cause           TEXT NOT NULL,
            source_system   TEXT NULL,
            source_key      TEXT NULL,
            related_citizen TEXT NULL,
            at              TEXT NOT NULL,
            PRIMARY KEY (citizen_id, seq)
        ) WITHOUT ROWID;
        INSERT INTO citizen_history_by_citizen (citizen_id, seq, cause, source_system, source_key, related_citizen, at)
        SELECT citizen_id, seq, cause, source_system, source_key, related_citizen, at FROM citizen_history;
        DROP TABLE citizen_history;
        ALTER TABLE citizen_history_by_citizen RENAME TO citizen_history;
        """,
        // 29: times are kept as ticks (StoreTime: a whole number of 100 ns since 1970 UTC) where they were ISO-8601 text:
        // eight bytes where text took 33, a quarter of a citizen's history row; and content digests as their 32 bytes
        // (StoredDigest) where they were 64 characters of hex. SQLite keeps a column's declared type, so each table with
        // a time is made again with whole-number columns, its rows copied across with their times and digests converted
        // (store_ticks and store_digest, functions the store gives the connection that migrates), its indexes and
        // triggers made again (the records' search indexes by SearchIndexes, as at every start), and an AUTOINCREMENT
        // table's next number kept.
        """
        CREATE TABLE citizens_v29 (
            seq          INTEGER PRIMARY KEY,
            citizen_id   TEXT NOT NULL UNIQUE,
            status       TEXT NOT NULL,
            merged_into  TEXT NULL,
            version      INTEGER NOT NULL,
            created_at   INTEGER NOT NULL,
            updated_at   INTEGER NOT NULL,
            golden       BLOB NULL
        );
        INSERT INTO citizens_v29 (seq, citizen_id, status, merged_into, version, created_at, updated_at, golden)
        SELECT seq, citizen_id, status, merged_into, version, store_ticks(created_at), store_ticks(updated_at), golden FROM citizens;
        DROP TABLE citizens;
        ALTER TABLE citizens_v29 RENAME TO citizens;
        CREATE INDEX ix_citizens_merged_into ON citizens (merged_into) WHERE merged_into IS NOT NULL;

        CREATE TABLE source_records_v29 (
            source_system   TEXT NOT NULL,
            source_key      TEXT NOT NULL,
            citizen_id      TEXT NOT NULL REFERENCES citizens (citizen_id),
            observed_at     INTEGER NOT NULL,
            linked_at       INTEGER NOT NULL,
            content_hash    BLOB NOT NULL,
            record          BLOB NOT NULL,
            family_key      TEXT NULL,
            given_key       TEXT NULL,
            date_of_birth   TEXT NULL,
            postcode        TEXT NULL,
            evidence        BLOB NULL,
            family_phonetic TEXT NULL,
            given_phonetic  TEXT NULL,
            block_hashes    BLOB NULL,
            PRIMARY KEY (source_system, source_key)
        );
        INSERT INTO source_records_v29 (source_system, source_key, citizen_id, observed_at, linked_at, content_hash, record,
                                        family_key, given_key, date_of_birth, postcode, evidence, family_phonetic, given_phonetic, block_hashes)
        SELECT source_system, source_key, citizen_id, store_ticks(observed_at), store_ticks(linked_at), store_digest(content_hash), record,
               family_key, given_key, date_of_birth, postcode, evidence, family_phonetic, given_phonetic, block_hashes
        FROM source_records ORDER BY source_system, source_key;
        DROP TABLE source_records;
        ALTER TABLE source_records_v29 RENAME TO source_records;
        CREATE INDEX ix_source_records_citizen ON source_records (citizen_id);
        CREATE TRIGGER tr_name_counts_insert AFTER INSERT ON source_records
        BEGIN
            INSERT INTO name_counts (kind, name, count) SELECT 'family', NEW.family_key, 1 WHERE NEW.family_key IS NOT NULL
                ON CONFLICT (kind, name) DO UPDATE SET count = count + 1;
            INSERT INTO name_counts (kind, name, count) SELECT 'given', NEW.given_key, 1 WHERE NEW.given_key IS NOT NULL
                ON CONFLICT (kind, name) DO UPDATE SET count = count + 1;
        END;
        CREATE TRIGGER tr_name_counts_delete AFTER DELETE ON source_records
        BEGIN
            UPDATE name_counts SET count = count - 1 WHERE kind = 'family' AND name = OLD.family_key;
            UPDATE name_counts SET count = count - 1 WHERE kind = 'given' AND name = OLD.given_key;
        END;
        CREATE TRIGGER tr_name_counts_update AFTER UPDATE OF family_key, given_key ON source_records
        BEGIN
            UPDATE name_counts SET count = count - 1 WHERE kind = 'family' AND name = OLD.family_key;
            UPDATE name_counts SET count = count - 1 WHERE kind = 'given' AND name = OLD.given_key;
            INSERT INTO name_counts (kind, name, count) SELECT 'family', NEW.family_key, 1 WHERE NEW.family_key IS NOT NULL
                ON CONFLICT (kind, name) DO UPDATE SET count = count + 1;
            INSERT INTO name_counts (kind, name, count) SELECT 'given', NEW.given_key, 1 WHERE NEW.given_key IS NOT NULL
                ON CONFLICT (kind, name) DO UPDATE SET count = count + 1;
        END;

        CREATE TABLE sync_runs_v29 (
            run_id             TEXT PRIMARY KEY,
            source_system      TEXT NOT NULL,
            started_at         INTEGER NULL,
            completed_at       INTEGER NULL,
            expected_messages  INTEGER NULL,
            record_count       INTEGER NULL,
            reject_count       INTEGER NULL,
            failure            TEXT NULL,
            refused            INTEGER NOT NULL DEFAULT 0,
            unchanged_not_sent INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO sync_runs_v29 (run_id, source_system, started_at, completed_at, expected_messages, record_count, reject_count,
                                   failure, refused, unchanged_not_sent)
        SELECT run_id, source_system, store_ticks(started_at), store_ticks(completed_at), expected_messages, record_count, reject_count,
               failure, refused, unchanged_not_sent FROM sync_runs;
        DROP TABLE sync_runs;
        ALTER TABLE sync_runs_v29 RENAME TO sync_runs;
        CREATE INDEX ix_sync_runs_source ON sync_runs (source_system, started_at);

        CREATE TABLE applied_messages_v29 (
            run_id           TEXT NOT NULL,
            kind             TEXT NOT NULL,
            sequence         INTEGER NOT NULL,
            applied_at       INTEGER NOT NULL,
            unchanged        INTEGER NOT NULL DEFAULT 0,
            added            INTEGER NOT NULL DEFAULT 0,
            updated          INTEGER NOT NULL DEFAULT 0,
            removed          INTEGER NOT NULL DEFAULT 0,
            citizens_created INTEGER NOT NULL DEFAULT 0,
            linked           INTEGER NOT NULL DEFAULT 0,
            merged           INTEGER NOT NULL DEFAULT 0,
            split            INTEGER NOT NULL DEFAULT 0,
            reviews          INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, kind, sequence)
        );
        INSERT INTO applied_messages_v29 (run_id, kind, sequence, applied_at, unchanged, added, updated, removed,
                                          citizens_created, linked, merged, split, reviews)
        SELECT run_id, kind, sequence, store_ticks(applied_at), unchanged, added, updated, removed,
               citizens_created, linked, merged, split, reviews FROM applied_messages;
        DROP TABLE applied_messages;
        ALTER TABLE applied_messages_v29 RENAME TO applied_messages;

        CREATE TABLE source_cursors_v29 (
            source_system TEXT PRIMARY KEY,
            cursor        TEXT NULL,
            run_id        TEXT NOT NULL,
            saved_at      INTEGER NOT NULL
        );
        INSERT INTO source_cursors_v29 (source_system, cursor, run_id, saved_at)
        SELECT source_system, cursor, run_id, store_ticks(saved_at) FROM source_cursors;
        DROP TABLE source_cursors;
        ALTER TABLE source_cursors_v29 RENAME TO source_cursors;

        CREATE TABLE review_items_v29 (
            review_id         INTEGER PRIMARY KEY,
            source_system     TEXT NOT NULL,
            source_key        TEXT NOT NULL,
            candidate_system  TEXT NOT NULL,
            candidate_key     TEXT NOT NULL,
            candidate_citizen TEXT NOT NULL,
            weight            REAL NOT NULL,
            evidence          BLOB NOT NULL,
            status            TEXT NOT NULL,
            created_at        INTEGER NOT NULL,
            closed_at         INTEGER NULL
        );
        INSERT INTO review_items_v29 (review_id, source_system, source_key, candidate_system, candidate_key, candidate_citizen,
                                      weight, evidence, status, created_at, closed_at)
        SELECT review_id, source_system, source_key, candidate_system, candidate_key, candidate_citizen,
               weight, evidence, status, store_ticks(created_at), store_ticks(closed_at) FROM review_items;
        DROP TABLE review_items;
        ALTER TABLE review_items_v29 RENAME TO review_items;
        CREATE INDEX ix_review_items_record ON review_items (source_system, source_key, status);
        CREATE INDEX ix_review_items_status ON review_items (status, review_id);
        CREATE INDEX ix_review_items_candidate ON review_items (candidate_system, candidate_key, status);

        CREATE TABLE audit_log_v29 (
            seq        INTEGER PRIMARY KEY,
            at         INTEGER NOT NULL,
            caller     TEXT NOT NULL,
            roles      TEXT NOT NULL,
            action     TEXT NOT NULL,
            citizen_id TEXT NULL,
            purpose    TEXT NULL,
            fields     TEXT NOT NULL,
            details    TEXT NULL
        );
        INSERT INTO audit_log_v29 (seq, at, caller, roles, action, citizen_id, purpose, fields, details)
        SELECT seq, store_ticks(at), caller, roles, action, citizen_id, purpose, fields, details FROM audit_log;
        DROP TABLE audit_log;
        ALTER TABLE audit_log_v29 RENAME TO audit_log;
        CREATE INDEX ix_audit_log_citizen ON audit_log (citizen_id, seq);
        CREATE INDEX ix_audit_log_caller ON audit_log (caller, seq);
        CREATE INDEX ix_audit_log_action ON audit_log (action, seq);
        CREATE INDEX ix_audit_log_at ON audit_log (at, seq);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

        CREATE TABLE steward_decisions_v29 (
            decision_id   INTEGER PRIMARY KEY,
            review_id     INTEGER NULL,
            source_system TEXT NOT NULL,
            source_key    TEXT NOT NULL,
            other_system  TEXT NOT NULL,
            other_key     TEXT NOT NULL,
            decision      TEXT NOT NULL,
            steward       TEXT NOT NULL,
            note          TEXT NULL,
            at            INTEGER NOT NULL
        );
        INSERT INTO steward_decisions_v29 (decision_id, review_id, source_system, source_key, other_system, other_key, decision, steward, note, at)
        SELECT decision_id, review_id, source_system, source_key, other_system, other_key, decision, steward, note, store_ticks(at)
        FROM steward_decisions;
        DROP TABLE steward_decisions;
        ALTER TABLE steward_decisions_v29 RENAME TO steward_decisions;
        CREATE INDEX ix_steward_decisions_record ON steward_decisions (source_system, source_key);
        CREATE INDEX ix_steward_decisions_other ON steward_decisions (other_system, other_key);

        CREATE TABLE change_feed_v29 (
            seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
            at                  INTEGER NOT NULL,
            kind                TEXT NOT NULL,
            citizen_id          TEXT NOT NULL,
            related_citizen     TEXT NULL,
            version             INTEGER NULL,
            fields              TEXT NULL,
            cause_system        TEXT NOT NULL,
            cause_key           TEXT NOT NULL,
            published_at        INTEGER NULL,
            publish_lease_until INTEGER NULL
        );
        INSERT INTO change_feed_v29 (seq, at, kind, citizen_id, related_citizen, version, fields, cause_system, cause_key,
                                     published_at, publish_lease_until)
        SELECT seq, store_ticks(at), kind, citizen_id, related_citizen, version, fields, cause_system, cause_key,
               store_ticks(published_at), store_ticks(publish_lease_until) FROM change_feed;
        INSERT INTO sqlite_sequence (name, seq) SELECT 'change_feed_v29', seq FROM sqlite_sequence WHERE name = 'change_feed'
            AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'change_feed_v29');
        UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'change_feed')) WHERE name = 'change_feed_v29';
        DROP TABLE change_feed;
        ALTER TABLE change_feed_v29 RENAME TO change_feed;
        CREATE INDEX ix_change_feed_unpublished ON change_feed (seq) WHERE published_at IS NULL;

        CREATE TABLE failed_messages_v29 (
            failure_id  INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id      TEXT NOT NULL,
            kind        TEXT NOT NULL,
            sequence    INTEGER NOT NULL,
            reason      TEXT NOT NULL,
            failed_at   INTEGER NOT NULL,
            message     TEXT NULL,
            replayed_at INTEGER NULL,
            UNIQUE (run_id, kind, sequence)
        );
        INSERT INTO failed_messages_v29 (failure_id, run_id, kind, sequence, reason, failed_at, message, replayed_at)
        SELECT failure_id, run_id, kind, sequence, reason, store_ticks(failed_at), message, store_ticks(replayed_at) FROM failed_messages;
        INSERT INTO sqlite_sequence (name, seq) SELECT 'failed_messages_v29', seq FROM sqlite_sequence WHERE name = 'failed_messages'
            AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'failed_messages_v29');
        UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'failed_messages')) WHERE name = 'failed_messages_v29';
        DROP TABLE failed_messages;
        ALTER TABLE failed_messages_v29 RENAME TO failed_messages;

        CREATE TABLE restricted_records_v29 (
            source_system TEXT NOT NULL,
            source_key    TEXT NOT NULL,
            placed_at     INTEGER NOT NULL,
            PRIMARY KEY (source_system, source_key)
        );
        INSERT INTO restricted_records_v29 (source_system, source_key, placed_at)
        SELECT source_system, source_key, store_ticks(placed_at) FROM restricted_records;
        DROP TABLE restricted_records;
        ALTER TABLE restricted_records_v29 RENAME TO restricted_records;

        CREATE TABLE suppressed_records_v29 (
            source_system TEXT NOT NULL,
            source_key    TEXT NOT NULL,
            content_hash  BLOB NOT NULL,
            erased_at     INTEGER NOT NULL,
            PRIMARY KEY (source_system, source_key)
        );
        INSERT INTO suppressed_records_v29 (source_system, source_key, content_hash, erased_at)
        SELECT source_system, source_key, store_digest(content_hash), store_ticks(erased_at) FROM suppressed_records;
        DROP TABLE suppressed_records;
        ALTER TABLE suppressed_records_v29 RENAME TO suppressed_records;

        CREATE TABLE sync_locks_v29 (
            source_system      TEXT PRIMARY KEY,
            run_id             TEXT NOT NULL,
            machine            TEXT NOT NULL,
            process_id         INTEGER NOT NULL,
            process_started_at INTEGER NULL,
            since              INTEGER NOT NULL,
            lease_until        INTEGER NOT NULL
        );
        INSERT INTO sync_locks_v29 (source_system, run_id, machine, process_id, process_started_at, since, lease_until)
        SELECT source_system, run_id, machine, process_id, store_ticks(process_started_at), store_ticks(since), store_ticks(lease_until)
        FROM sync_locks;
        DROP TABLE sync_locks;
        ALTER TABLE sync_locks_v29 RENAME TO sync_locks;

        CREATE TABLE citizen_history_v29 (
            citizen_id      TEXT NOT NULL,
            seq             INTEGER NOT NULL,
            cause           TEXT NOT NULL,
            source_system   TEXT NULL,
            source_key      TEXT NULL,
            related_citizen TEXT NULL,
            at              INTEGER NOT NULL,
            PRIMARY KEY (citizen_id, seq)
        ) WITHOUT ROWID;
        INSERT INTO citizen_history_v29 (citizen_id, seq, cause, source_system, source_key, related_citizen, at)
        SELECT citizen_id, seq, cause, source_system, source_key, related_citizen, store_ticks(at) FROM citizen_history;
        DROP TABLE citizen_history;
        ALTER TABLE citizen_history_v29 RENAME TO citizen_history;
        """,

        // 30: identifiers of named schemes are kept in match_keys beside NI, NHS and UPRN, so that the search finds a
        // record by a council's own reference. A record held before has them written from the record itself at the next
        // start (SqliteCitizenStore.FillSchemeIdentifierKeysAsync), taking its turn from this list.
        """
        CREATE TABLE scheme_keys_pending (
            source_system TEXT NOT NULL,
            source_key    TEXT NOT NULL,
            PRIMARY KEY (source_system, source_key)
        ) WITHOUT ROWID;
        INSERT INTO scheme_keys_pending (source_system, source_key) SELECT source_system, source_key FROM source_records;
        """,
    ];
}
