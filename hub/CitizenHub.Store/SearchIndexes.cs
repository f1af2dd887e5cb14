using System.Data.Common;
using Dapper;

namespace CitizenHub.Store;

/// <summary>
/// The indexes only the API's search reads (records by name, sound of a name, date of birth and postcode): a first load
/// into an empty store may leave them out while its records arrive and build each once at the end, since keeping them
/// as rows arrive is much of what writing a record costs (docs/store.md). Written in the SQL both providers take.
/// </summary>
internal static class SearchIndexes
{
    /// <summary>Each index as the migrations made it, by name; the schema tests hold the two to each other.</summary>
    public static readonly IReadOnlyList<(string Name, string Columns)> All =
    [
        ("ix_source_records_name", "family_key, given_key"),
        ("ix_source_records_given", "given_key"),
        ("ix_source_records_dob", "date_of_birth"),
        ("ix_source_records_postcode", "postcode"),
        ("ix_source_records_family_phonetic", "family_phonetic"),
        ("ix_source_records_given_phonetic", "given_phonetic"),
    ];

    /// <summary>True when the store holds no record: only then are the indexes left out.</summary>
    public const string HoldsNoRecord = "SELECT NOT EXISTS (SELECT 1 FROM source_records);";

    /// <summary>Drops every one of them.</summary>
    public static string Drop => string.Concat(All.Select(i => $"DROP INDEX IF EXISTS {i.Name};"));

    /// <summary>Builds each that is missing; nothing for those in place.</summary>
    public static string Build => string.Concat(All.Select(i => $"CREATE INDEX IF NOT EXISTS {i.Name} ON source_records ({i.Columns});"));

    /// <summary>
    /// Drops the indexes if the store holds no record, in one transaction that holds the table against writers, so a
    /// record written meanwhile by another process either comes first (and nothing is dropped) or waits.
    /// </summary>
    /// <param name="takeTurns">
    /// A statement that makes processes changing the store's schema take turns, run first in the transaction; null where
    /// the database does that itself. PostgreSQL needs one: two sessions creating one index name at once collide in its
    /// catalogue (a unique violation) even with IF NOT EXISTS, as two instances finishing a first load together do.
    /// </param>
    public static async Task<bool> DeferAsync(DbConnection connection, string? takeTurns, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginTakingTurnsAsync(connection, takeTurns, cancellationToken).ConfigureAwait(false);
        // Dropped first, which locks the table on PostgreSQL and takes the write lock on SQLite; then looked at.
        await connection.ExecuteAsync(Drop, transaction: transaction).ConfigureAwait(false);
        if (!await connection.ExecuteScalarAsync<bool>(HoldsNoRecord, transaction: transaction).ConfigureAwait(false))
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Builds each that is missing, taking turns with other processes as <see cref="DeferAsync"/> does.</summary>
    public static async Task BuildAsync(DbConnection connection, string? takeTurns, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginTakingTurnsAsync(connection, takeTurns, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(Build, transaction: transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<DbTransaction> BeginTakingTurnsAsync(DbConnection connection, string? takeTurns, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (takeTurns is not null)
        {
            await connection.ExecuteAsync(takeTurns, transaction: transaction).ConfigureAwait(false);
        }

        return transaction;
    }
}
