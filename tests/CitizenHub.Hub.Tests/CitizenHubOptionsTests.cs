using CitizenHub.Adapters.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CitizenHub.Hub.Tests;

/// <summary>The hub's options are checked when it starts, the nested ones (Sync, Store, RabbitMq, Matching) too.</summary>
public sealed class CitizenHubOptionsTests
{
    [Fact]
    public async Task Start_NestedSettingsOutOfRange_RefusedNamingEachWithWhatIsAllowed()
    {
        using var folder = new TempDirectory();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Sync:BatchSize"] = "0",
                ["RabbitMq:Port"] = "70000",
                ["Sync:CompletionTimeout"] = "00:00:00",
                ["Store:ConnectionString"] = "",
            })
            .Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddCitizenHub(configuration, folder.Path);
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            [
                "RabbitMq.Port: 70000 is out of range; allowed 1 to 65535",
                "Store.ConnectionString: is required",
                "Sync.BatchSize: 0 is out of range; allowed 1 to 10000",
                "Sync.CompletionTimeout: 00:00:00 is out of range; allowed 00:00:01 to 7.00:00:00",
            ],
            refused.Failures.Order(StringComparer.Ordinal));
        // Refused before the store was made.
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Find_DefaultOptions_HaveNoProblems()
    {
        Assert.Empty(OptionsProblems.Find(new CitizenHubOptions()));
    }
}
