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
    ];
}
