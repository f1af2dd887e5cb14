using CitizenHub.TestKit;

namespace CitizenHub.Store.Tests.Postgres;

/// <summary>One PostgreSQL server for every test of this assembly that needs one; each test takes a fresh database on it.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
