namespace CitizenHub.Store;

/// <summary>
/// What an erasure deletes besides the citizen's records (which the resolver removes first, as a source's removal
/// does), the same on SQLite and PostgreSQL but for how each names its parameters.
/// </summary>
internal static class ErasureSql
{
    /// <summary>The statements, in order, with <paramref name="citizenId"/> and <paramref name="at"/> as each store names those parameters.</summary>
    /// <param name="numbersHistory">
    /// Whether the store numbers a citizen's history itself (SQLite, whose history is a table keyed by citizen and
    /// number) rather than the database numbering every row (PostgreSQL).
    /// </param>
    public static string Statements(string citizenId, string at, bool numbersHistory)
    {
        // The erased citizen's history is emptied first, so the row saying it was erased is its first.
        var erasedRow = numbersHistory
            ? $"INSERT INTO citizen_history (citizen_id, seq, cause, at) VALUES ({citizenId}, 1, 'Erased', {at});"
            : $"INSERT INTO citizen_history (citizen_id, cause, at) VALUES ({citizenId}, 'Erased', {at});";
        // The citizen and every id merged into it (merges keep merged_into pointing at the final survivor).
        var ids = $"SELECT citizen_id FROM citizens WHERE citizen_id = {citizenId} OR merged_into = {citizenId}";
        // Its records as noted on removal, less any held since by someone else (a record that came back and joined another).
        var records = $"""
            WITH erased AS (
                SELECT r.source_system, r.source_key FROM removed_records r
                WHERE r.citizen_id IN ({ids})
                  AND NOT EXISTS (SELECT 1 FROM source_records s WHERE s.source_system = r.source_system AND s.source_key = r.source_key))
            """;
        return $"""
            {records}
            DELETE FROM restricted_records WHERE (source_system, source_key) IN (SELECT source_system, source_key FROM erased);
            {records}
            DELETE FROM review_items WHERE (source_system, source_key) IN (SELECT source_system, source_key FROM erased)
                OR (candidate_system, candidate_key) IN (SELECT source_system, source_key FROM erased);
            {records}
            DELETE FROM steward_decisions WHERE (source_system, source_key) IN (SELECT source_system, source_key FROM erased)
                OR (other_system, other_key) IN (SELECT source_system, source_key FROM erased);
            {records}
            DELETE FROM removed_records WHERE (source_system, source_key) IN (SELECT source_system, source_key FROM erased);
            DELETE FROM citizen_history WHERE citizen_id IN ({ids});
            {erasedRow}
            UPDATE change_feed SET fields = NULL, cause_system = '', cause_key = ''
            WHERE citizen_id IN ({ids}) OR related_citizen IN ({ids});
            UPDATE citizens SET golden = NULL, status = 'Erased', version = version + 1, updated_at = {at} WHERE citizen_id = {citizenId};
            """;
    }
}
