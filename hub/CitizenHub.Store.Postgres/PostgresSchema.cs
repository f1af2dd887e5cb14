namespace CitizenHub.Store.Postgres;

/// <summary>
/// The PostgreSQL schema as numbered migrations. A migration is never edited once released:
/// a change is a new migration at the end.
/// </summary>
/// <remarks>
/// Kept as the SQLite store keeps it, so that both behave alike:
/// <list type="bullet">
/// <item>Text compares and sorts byte by byte (<c>COLLATE "C"</c>), as SQLite's and .NET's ordinal order do, whatever
/// the database's own collation; it also lets prefix searches (<c>LIKE 'nm:%'</c>) use the indexes.</item>
/// <item>Times are ticks (<see cref="StoreTime"/>), as whole numbers. <c>timestamptz</c> holds microseconds, and the
/// identity engine compares a record's observed time with the one held to the tick (100 ns) to tell a stale version
/// from a new one.</item>
/// </list>
/// </remarks>
internal static class PostgresSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: the schema as the SQLite store has it after its migration 9, in one step (no PostgreSQL store was
        // deployed before it): golden records, links, lineage, blocking keys, runs, cursors, reviews, history,
        // the append-only audit trail, restriction, stewards' decisions, the change feed and phonetic search keys.
        """
        CREATE TABLE citizens (
            seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            citizen_id   text COLLATE "C" NOT NULL UNIQUE,
            status       text COLLATE "C" NOT NULL,
            merged_into  text COLLATE "C" NULL,
            version      bigint NOT NULL,
            created_at   text COLLATE "C" NOT NULL,
            updated_at   text COLLATE "C" NOT NULL,
            restricted   boolean NOT NULL DEFAULT false
        );
        CREATE INDEX ix_citizens_merged_into ON citizens (merged_into) WHERE merged_into IS NOT NULL;

        CREATE TABLE source_records (
            source_system   text COLLATE "C" NOT NULL,
            source_key      text COLLATE "C" NOT NULL,
            citizen_id      text COLLATE "C" NOT NULL REFERENCES citizens (citizen_id),
            observed_at     text COLLATE "C" NOT NULL,
            linked_at       text COLLATE "C" NOT NULL,
            content_hash    text COLLATE "C" NOT NULL,
            record_json     text NOT NULL,
            normalised_json text NOT NULL,
            family_key      text COLLATE "C" NULL,
            given_key       text COLLATE "C" NULL,
            date_of_birth   text COLLATE "C" NULL,
            postcode        text COLLATE "C" NULL,
            evidence_json   text NULL,
            family_phonetic text COLLATE "C" NULL,
            given_phonetic  text COLLATE "C" NULL,
            PRIMARY KEY (source_system, source_key)
        );
        CREATE INDEX ix_source_records_citizen ON source_records (citizen_id);
        CREATE INDEX ix_source_records_name ON source_records (family_key, given_key);
        CREATE INDEX ix_source_records_given ON source_records (given_key);
        CREATE INDEX ix_source_records_dob ON source_records (date_of_birth);
        CREATE INDEX ix_source_records_postcode ON source_records (postcode);
        CREATE INDEX ix_source_records_family_phonetic ON source_records (family_phonetic);
        CREATE INDEX ix_source_records_given_phonetic ON source_records (given_phonetic);

        -- How many source records are held, for term-frequency adjustment. COUNT(*) would scan the table for every
        -- record resolved (SQLite reads MAX(rowid) instead, which PostgreSQL has no equivalent of); a trigger keeps
        -- the count exact, and costs no contention because resolution runs one message at a time.
        CREATE TABLE record_count (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            total    bigint NOT NULL
        );
        INSERT INTO record_count (total) VALUES (0);
        CREATE FUNCTION count_source_records() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE record_count SET total = total + CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
            RETURN NULL;
        END $$;
        CREATE TRIGGER source_records_count AFTER INSERT OR DELETE ON source_records
            FOR EACH ROW EXECUTE FUNCTION count_source_records();

        CREATE TABLE match_keys (
            match_key     text COLLATE "C" NOT NULL,
            source_system text COLLATE "C" NOT NULL,
            source_key    text COLLATE "C" NOT NULL,
            PRIMARY KEY (match_key, source_system, source_key)
        );
        CREATE INDEX ix_match_keys_record ON match_keys (source_system, source_key);

        CREATE TABLE golden_fields (
            citizen_id    text COLLATE "C" NOT NULL REFERENCES citizens (citizen_id),
            field         text COLLATE "C" NOT NULL,
            value         text NOT NULL,
            source_system text COLLATE "C" NOT NULL,
            source_key    text COLLATE "C" NOT NULL,
            observed_at   text COLLATE "C" NOT NULL,
            PRIMARY KEY (citizen_id, field)
        );

        CREATE TABLE sync_runs (
            run_id            uuid PRIMARY KEY,
            source_system     text COLLATE "C" NOT NULL,
            started_at        text COLLATE "C" NULL,
            completed_at      text COLLATE "C" NULL,
            expected_messages bigint NULL,
            record_count      bigint NULL,
            reject_count      bigint NULL
        );
        CREATE INDEX ix_sync_runs_source ON sync_runs (source_system, started_at);

        CREATE TABLE applied_messages (
            run_id     uuid NOT NULL,
            kind       text COLLATE "C" NOT NULL,
            sequence   bigint NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (run_id, kind, sequence)
        );

        CREATE TABLE failed_messages (
            run_id    uuid NOT NULL,
            kind      text COLLATE "C" NOT NULL,
            sequence  bigint NOT NULL,
            reason    text NOT NULL,
            failed_at text COLLATE "C" NOT NULL,
            PRIMARY KEY (run_id, kind, sequence)
        );

        CREATE TABLE source_cursors (
            source_system text COLLATE "C" PRIMARY KEY,
            cursor        text NULL,
            run_id        uuid NOT NULL,
            saved_at      text COLLATE "C" NOT NULL
        );

        CREATE TABLE review_items (
            review_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source_system     text COLLATE "C" NOT NULL,
            source_key        text COLLATE "C" NOT NULL,
            candidate_system  text COLLATE "C" NOT NULL,
            candidate_key     text COLLATE "C" NOT NULL,
            candidate_citizen text COLLATE "C" NOT NULL,
            weight            double precision NOT NULL,
            evidence_json     text NOT NULL,
            status            text COLLATE "C" NOT NULL,
            created_at        text COLLATE "C" NOT NULL,
            closed_at         text COLLATE "C" NULL
        );
        CREATE INDEX ix_review_items_record ON review_items (source_system, source_key, status);
        CREATE INDEX ix_review_items_candidate ON review_items (candidate_system, candidate_key, status);
        CREATE INDEX ix_review_items_status ON review_items (status, review_id);

        CREATE TABLE citizen_history (
            seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            citizen_id      text COLLATE "C" NOT NULL,
            cause           text COLLATE "C" NOT NULL,
            source_system   text COLLATE "C" NULL,
            source_key      text COLLATE "C" NULL,
            related_citizen text COLLATE "C" NULL,
            at              text COLLATE "C" NOT NULL
        );
        CREATE INDEX ix_citizen_history_citizen ON citizen_history (citizen_id, seq);

        -- The audit trail of reads of citizens' data. Append-only: the triggers refuse any change or deletion,
        -- so not even the hub's own code can rewrite what was read, by whom and why.
        CREATE TABLE audit_log (
            seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at          text COLLATE "C" NOT NULL,
            caller      text NOT NULL,
            roles       text NOT NULL,
            action      text NOT NULL,
            citizen_id  text COLLATE "C" NULL,
            purpose     text NULL,
            fields      text NOT NULL
        );
        CREATE INDEX ix_audit_log_citizen ON audit_log (citizen_id, seq);
        CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only';
        END $$;
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
        -- TRUNCATE fires no row triggers; it is refused by a statement trigger of its own.
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

        -- Stewards' decisions, kept so that the next sync never undoes them.
        CREATE TABLE steward_decisions (
            decision_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            review_id     bigint NULL,
            source_system text COLLATE "C" NOT NULL,
            source_key    text COLLATE "C" NOT NULL,
            other_system  text COLLATE "C" NOT NULL,
            other_key     text COLLATE "C" NOT NULL,
            decision      text COLLATE "C" NOT NULL,
            steward       text NOT NULL,
            note          text NULL,
            at            text COLLATE "C" NOT NULL
        );
        CREATE INDEX ix_steward_decisions_record ON steward_decisions (source_system, source_key);
        CREATE INDEX ix_steward_decisions_other ON steward_decisions (other_system, other_key);

        -- The change feed: every event of a committed message, written in the same transaction. Resolution holds
        -- one lock from its first statement to its commit (PostgresCitizenStore.BeginMessageAsync), so sequence
        -- numbers are taken in commit order and a reader never sees a lower one appear after a higher one.
        CREATE TABLE change_feed (
            seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at              text COLLATE "C" NOT NULL,
            kind            text COLLATE "C" NOT NULL,
            citizen_id      text COLLATE "C" NOT NULL,
            related_citizen text COLLATE "C" NULL,
            version         bigint NULL,
            fields          text NULL,
            cause_system    text COLLATE "C" NOT NULL,
            cause_key       text COLLATE "C" NOT NULL
        );
        """,

        // 2: the change feed is also the outbox of the bus events (published after commit; a lease keeps two instances
        // from publishing a row at once; what an instance left unpublished is swept). A failed message is kept whole,
        // under an id an operator can name, for replay.
        """
        ALTER TABLE change_feed
            ADD COLUMN published_at        text COLLATE "C" NULL,
            ADD COLUMN publish_lease_until text COLLATE "C" NULL;
        UPDATE change_feed SET published_at = at;
        CREATE INDEX ix_change_feed_unpublished ON change_feed (seq) WHERE published_at IS NULL;

        ALTER TABLE failed_messages DROP CONSTRAINT failed_messages_pkey;
        ALTER TABLE failed_messages
            ADD COLUMN failure_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            ADD COLUMN message     text NULL,
            ADD COLUMN replayed_at text COLLATE "C" NULL,
            ADD CONSTRAINT failed_messages_message_key UNIQUE (run_id, kind, sequence);
        """,

        // 3: how many records hold each family and given name, kept by a trigger. Counting them at each lookup read
        // every index entry of the name (a JOHN or a SMITH among a million records, for every record resolved):
        // resolution slowed as the store grew. A lookup is now one row. No contention: resolution runs one
        // message at a time.
        """
        CREATE TABLE name_counts (
            kind  text COLLATE "C" NOT NULL,
            name  text COLLATE "C" NOT NULL,
            count bigint NOT NULL,
            PRIMARY KEY (kind, name)
        );
        INSERT INTO name_counts (kind, name, count)
            SELECT 'family', family_key, COUNT(*) FROM source_records WHERE family_key IS NOT NULL GROUP BY family_key;
        INSERT INTO name_counts (kind, name, count)
            SELECT 'given', given_key, COUNT(*) FROM source_records WHERE given_key IS NOT NULL GROUP BY given_key;
        CREATE FUNCTION count_source_record_names() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                UPDATE name_counts SET count = count - 1 WHERE kind = 'family' AND name = OLD.family_key;
                UPDATE name_counts SET count = count - 1 WHERE kind = 'given' AND name = OLD.given_key;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                IF NEW.family_key IS NOT NULL THEN
                    INSERT INTO name_counts (kind, name, count) VALUES ('family', NEW.family_key, 1)
                        ON CONFLICT (kind, name) DO UPDATE SET count = name_counts.count + 1;
                END IF;
                IF NEW.given_key IS NOT NULL THEN
                    INSERT INTO name_counts (kind, name, count) VALUES ('given', NEW.given_key, 1)
                        ON CONFLICT (kind, name) DO UPDATE SET count = name_counts.count + 1;
                END IF;
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER source_records_names AFTER INSERT OR DELETE OR UPDATE OF family_key, given_key ON source_records
            FOR EACH ROW EXECUTE FUNCTION count_source_record_names();
        """,

        // 4: blocking keys are held in memory by each instance (HeldKeyIndex), loaded from each record's hashes of them
        // (block_hashes; made from its normalised form where a record saved before has none), and caught up from the
        // records saved (key_version) and removed (removed_record_keys) since it last read. The candidate search over
        // match_keys was a third of the server's time and writing about ten rows a record another fifth; the table keeps
        // the identifiers, which the search finds records by.
        """
        ALTER TABLE source_records ADD COLUMN block_hashes bytea NULL, ADD COLUMN key_version bigint NULL;
        CREATE SEQUENCE record_key_versions;
        CREATE INDEX ix_source_records_key_version ON source_records (key_version);
        CREATE TABLE removed_record_keys (
            key_version   bigint PRIMARY KEY,
            source_system text COLLATE "C" NOT NULL,
            source_key    text COLLATE "C" NOT NULL
        );
        DELETE FROM match_keys WHERE NOT (match_key LIKE 'nhs:%' OR match_key LIKE 'ni:%' OR match_key LIKE 'uprn:%');
        """,

        // 5: the record total is added to once a message by the resolution session, which knows which records it adds
        // and removes. The row trigger updated the one row for every record, and 500 updates of a row in one
        // transaction each walk its earlier versions: 36 µs a record, the dearest part of saving one after its indexes.
        """
        DROP TRIGGER source_records_count ON source_records;
        DROP FUNCTION count_source_records();
        """,

        // 6: the notes of removed records are pruned once every instance has had time to read them (a day), so the
        // table no longer grows with every removal for ever. The highest version pruned is kept: an instance whose
        // index is older than that may have missed a removal, and loads every record's keys afresh instead.
        """
        ALTER TABLE removed_record_keys ADD COLUMN removed_at timestamptz NOT NULL DEFAULT now();
        CREATE TABLE removed_record_keys_pruned (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            through  bigint NOT NULL
        );
        INSERT INTO removed_record_keys_pruned (through) VALUES (0);
        """,

        // 7: a run the runner could not finish (the source unreadable, or refused by a safeguard) says so and why:
        // without it such a run read as completed.
        """
        ALTER TABLE sync_runs ADD COLUMN failure text NULL;
        ALTER TABLE sync_runs ADD COLUMN refused boolean NOT NULL DEFAULT false;
        """,

        // 8: the citizen each removed record was last in, so that a record the source brings back under the same key
        // rejoins its citizen id (which answered 410 meanwhile) rather than start a new one.
        """
        CREATE TABLE removed_records (
            source_system text COLLATE "C" NOT NULL,
            source_key    text COLLATE "C" NOT NULL,
            citizen_id    text NOT NULL,
            PRIMARY KEY (source_system, source_key)
        );
        """,

        // 9: restriction of processing belongs to the source records it was placed on, not to a citizen row: a citizen
        // is restricted while it holds one of them, so the restriction follows the person through every merge, split
        // and move, and a record that goes and comes back under its key is restricted again.
        """
        CREATE TABLE restricted_records (
            source_system text COLLATE "C" NOT NULL,
            source_key    text COLLATE "C" NOT NULL,
            placed_at     text NOT NULL,
            PRIMARY KEY (source_system, source_key)
        );
        INSERT INTO restricted_records (source_system, source_key, placed_at)
            SELECT s.source_system, s.source_key, c.updated_at FROM source_records s
            JOIN citizens c ON c.citizen_id = s.citizen_id WHERE c.restricted;
        ALTER TABLE citizens DROP COLUMN restricted;
        """,

        // 10: erasure. The records of an erased citizen are kept out of the hub while their source keeps sending them
        // unchanged: the key and a digest of what the record said, until the source removes or changes it.
        """
        CREATE TABLE suppressed_records (
            source_system text COLLATE "C" NOT NULL,
            source_key    text COLLATE "C" NOT NULL,
            content_hash  text NOT NULL,
            erased_at     text NOT NULL,
            PRIMARY KEY (source_system, source_key)
        );
        """,

        // 11: the audit trail an auditor can search: by caller, action and time as well as citizen (each with its
        // index, the sequence after it so that a page in either order is an index range), and what else a row records
        // (a search's criteria, a refusal's reason and route) as JSON in details.
        """
        ALTER TABLE audit_log ADD COLUMN details text NULL;
        CREATE INDEX ix_audit_log_caller ON audit_log (caller, seq);
        CREATE INDEX ix_audit_log_action ON audit_log (action, seq);
        CREATE INDEX ix_audit_log_at ON audit_log (at, seq);
        """,

        // 12: what applying each message did (records added, updated, unchanged, removed; citizens created, linked,
        // merged, split; pairs sent for review), kept with the message so a run's summary is the sum of its messages and a
        // redelivered message is counted once; and the lock that keeps two syncs of one source from overlapping.
        """
        ALTER TABLE applied_messages ADD COLUMN unchanged integer NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN added integer NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN updated integer NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN removed integer NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN citizens_created integer NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN linked integer NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN merged integer NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN split integer NOT NULL DEFAULT 0;
        ALTER TABLE applied_messages ADD COLUMN reviews integer NOT NULL DEFAULT 0;

        -- Who is syncing each source, so that two syncs of one source never overlap: the run, the machine and process
        -- (with when it started, since a process id is reused), since when, and until when its lease runs unless renewed.
        CREATE TABLE sync_locks (
            source_system      text COLLATE "C" PRIMARY KEY,
            run_id             text NOT NULL,
            machine            text NOT NULL,
            process_id         integer NOT NULL,
            process_started_at text NULL,
            since              text NOT NULL,
            lease_until        text NOT NULL
        );
        """,

        // 13: a golden record is one column of its citizen's row (GoldenRow: each field with its lineage), not a row a
        // field: fewer rows and index entries to write for every record linked. The fields held move across.
        """
        ALTER TABLE citizens ADD COLUMN golden text NULL;
        UPDATE citizens c SET golden = g.fields
        FROM (SELECT citizen_id, json_agg(json_build_array(field, value, source_system, source_key, observed_at))::text AS fields
              FROM golden_fields GROUP BY citizen_id) g
        WHERE g.citizen_id = c.citizen_id;
        DROP TABLE golden_fields;
        """,

        // 14: a record is kept as received only; its normalised form is made again when it is read (StoredRecord), so
        // each record writes a quarter fewer bytes.
        """
        ALTER TABLE source_records DROP COLUMN normalised_json;
        """,

        // 15: a record is kept packed (StoredRecord: Zstandard against a dictionary of the record's shape) in a column of
        // bytes; the records kept before stay as their JSON, as bytes, which still read.
        """
        ALTER TABLE source_records RENAME COLUMN record_json TO record;
        ALTER TABLE source_records ALTER COLUMN record TYPE bytea USING convert_to(record, 'UTF8');
        """,

        // 16: the records a full run found held as they are and did not send (SyncRunCompleted.UnchangedNotSent), counted
        // with its messages' unchanged records in the run's tally.
        """
        ALTER TABLE sync_runs ADD COLUMN unchanged_not_sent bigint NOT NULL DEFAULT 0;
        """,

        // 17: the evidence for links and reviews and the golden records are kept packed (PackedJson: Zstandard against
        // a dictionary of their shape) in columns of bytes; what was kept before stays as its JSON, as bytes, which still reads.
        """
        ALTER TABLE source_records RENAME COLUMN evidence_json TO evidence;
        ALTER TABLE source_records ALTER COLUMN evidence TYPE bytea USING convert_to(evidence, 'UTF8');
        ALTER TABLE review_items RENAME COLUMN evidence_json TO evidence;
        ALTER TABLE review_items ALTER COLUMN evidence TYPE bytea USING convert_to(evidence, 'UTF8');
        ALTER TABLE citizens ALTER COLUMN golden TYPE bytea USING convert_to(golden, 'UTF8');
        """,
        // 18: times are kept as ticks (StoreTime: a whole number of 100 ns since 1970 UTC) where they were ISO-8601 text,
        // as the SQLite store keeps them: eight bytes where text took 33, to the tick. The text is read as a time to the
        // second and its fraction's seven digits added, since a timestamptz would round them to microseconds. Content
        // digests are kept as their 32 bytes (StoredDigest) where they were hex; text that was not hex, as its bytes.
        """
        CREATE FUNCTION pg_temp.store_ticks(t text) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
            SELECT extract(epoch FROM regexp_replace(t, '\.[0-9]+', '')::timestamptz)::bigint * 10000000
                 + COALESCE(rpad(substring(t FROM '\.([0-9]+)'), 7, '0')::bigint, 0)
        $$;
        CREATE FUNCTION pg_temp.store_digest(t text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE WHEN t ~ '^[0-9A-Fa-f]{64}$' THEN decode(t, 'hex') ELSE convert_to(t, 'UTF8') END
        $$;
        ALTER TABLE citizens
            ALTER COLUMN created_at TYPE bigint USING pg_temp.store_ticks(created_at),
            ALTER COLUMN updated_at TYPE bigint USING pg_temp.store_ticks(updated_at);
        ALTER TABLE source_records
            ALTER COLUMN observed_at TYPE bigint USING pg_temp.store_ticks(observed_at),
            ALTER COLUMN linked_at TYPE bigint USING pg_temp.store_ticks(linked_at),
            ALTER COLUMN content_hash TYPE bytea USING pg_temp.store_digest(content_hash);
        ALTER TABLE sync_runs
            ALTER COLUMN started_at TYPE bigint USING pg_temp.store_ticks(started_at),
            ALTER COLUMN completed_at TYPE bigint USING pg_temp.store_ticks(completed_at);
        ALTER TABLE failed_messages
            ALTER COLUMN failed_at TYPE bigint USING pg_temp.store_ticks(failed_at),
            ALTER COLUMN replayed_at TYPE bigint USING pg_temp.store_ticks(replayed_at);
        ALTER TABLE source_cursors ALTER COLUMN saved_at TYPE bigint USING pg_temp.store_ticks(saved_at);
        ALTER TABLE review_items
            ALTER COLUMN created_at TYPE bigint USING pg_temp.store_ticks(created_at),
            ALTER COLUMN closed_at TYPE bigint USING pg_temp.store_ticks(closed_at);
        ALTER TABLE citizen_history ALTER COLUMN at TYPE bigint USING pg_temp.store_ticks(at);
        ALTER TABLE audit_log ALTER COLUMN at TYPE bigint USING pg_temp.store_ticks(at);
        ALTER TABLE steward_decisions ALTER COLUMN at TYPE bigint USING pg_temp.store_ticks(at);
        ALTER TABLE change_feed
            ALTER COLUMN at TYPE bigint USING pg_temp.store_ticks(at),
            ALTER COLUMN published_at TYPE bigint USING pg_temp.store_ticks(published_at),
            ALTER COLUMN publish_lease_until TYPE bigint USING pg_temp.store_ticks(publish_lease_until);
        ALTER TABLE restricted_records ALTER COLUMN placed_at TYPE bigint USING pg_temp.store_ticks(placed_at);
        ALTER TABLE suppressed_records
            ALTER COLUMN erased_at TYPE bigint USING pg_temp.store_ticks(erased_at),
            ALTER COLUMN content_hash TYPE bytea USING pg_temp.store_digest(content_hash);
        ALTER TABLE sync_locks
            ALTER COLUMN process_started_at TYPE bigint USING pg_temp.store_ticks(process_started_at),
            ALTER COLUMN since TYPE bigint USING pg_temp.store_ticks(since),
            ALTER COLUMN lease_until TYPE bigint USING pg_temp.store_ticks(lease_until);
        DROP FUNCTION pg_temp.store_ticks(text);
        DROP FUNCTION pg_temp.store_digest(text);
        """,

        // 19: identifiers of named schemes are kept in match_keys beside NI, NHS and UPRN, so that the search finds a
        // record by a council's own reference. A record held before has them written from the record itself at the next
        // start (PostgresCitizenStore.FillSchemeIdentifierKeysAsync), taking its turn from this list.
        """
        CREATE TABLE scheme_keys_pending (
            source_system text NOT NULL,
            source_key    text NOT NULL,
            PRIMARY KEY (source_system, source_key)
        );
        INSERT INTO scheme_keys_pending (source_system, source_key) SELECT source_system, source_key FROM source_records;
        """,
    ];
}
