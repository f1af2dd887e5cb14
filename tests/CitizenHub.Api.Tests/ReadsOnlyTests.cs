namespace CitizenHub.Api.Tests;

/// <summary>
/// The API and the web page read the store and change it only through the hub's commands: they are built against the
/// store's abstractions alone, so that no handler can open a resolution session or write a golden record itself.
/// </summary>
public sealed class ReadsOnlyTests
{
    [Theory]
    [InlineData("CitizenHub.Api")]
    [InlineData("CitizenHub.Web")]
    public void Assembly_ReferencesTheStoresAbstractions_AndNeitherTheStoreNorItsProvidersNorTheHub(string name)
    {
        var assembly = System.Reflection.Assembly.Load(name);

        var references = assembly.GetReferencedAssemblies().Select(r => r.Name).ToHashSet();

        Assert.Contains(name == "CitizenHub.Api" ? "CitizenHub.Store.Abstractions" : "CitizenHub.Api", references);
        Assert.DoesNotContain("CitizenHub.Store", references);
        Assert.DoesNotContain("CitizenHub.Store.Sqlite", references);
        Assert.DoesNotContain("CitizenHub.Store.Postgres", references);
        Assert.DoesNotContain("CitizenHub.Hub", references);
    }
}
