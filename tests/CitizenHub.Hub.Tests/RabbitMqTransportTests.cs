using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CitizenHub.Adapters;
using CitizenHub.Adapters.Testing;
using CitizenHub.Contracts;
using CitizenHub.Store;
using CitizenHub.TestKit;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace CitizenHub.Hub.Tests;

/// <summary>The hub on a real RabbitMQ broker (a private node from the Debian package), each test in its own virtual host.</summary>
public sealed class RabbitMqTransportTests(RabbitMqServer broker) : IClassFixture<RabbitMqServer>, IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task Sync_ThroughTheBroker_AppliesEveryBatchAndPublishesEachChangeFromTheOutbox()
    {
        var virtualHost = await broker.CreateVirtualHostAsync();
        // 300 records, every third the previous one's person again (same NI number): 200 citizens.
        var records = Enumerable.Range(1, 300).Select(i => Person(i, ni: Ni(i % 3 == 0 ? i - 1 : i))).ToArray();
        using var host = await StartHostAsync(virtualHost, new ListAdapter(records), batchSize: 25);
        var created = new ConcurrentBag<string>();
        var endpoint = host.Services.GetRequiredService<IBus>().ConnectReceiveEndpoint("test-created", e => e.Handler<CitizenCreated>(c =>
        {
            created.Add(c.Message.CitizenId);
            return Task.CompletedTask;
        }));
        await endpoint.Ready;

        var summary = await RunAsync(host);

        Assert.True(summary.Succeeded, summary.Error);
        Assert.Equal((300, 12, 0), (summary.Records, summary.Batches, summary.FailedBatches));
        var links = await LinksAsync(host);
        Assert.Equal(300, links.Count);
        Assert.Equal(200, links.Select(l => l.CitizenId).Distinct().Count());
        await WaitUntilAsync(() => created.Count >= 200);
        Assert.Equal(links.Select(l => l.CitizenId).Distinct().Order(), created.Order());
        Assert.Empty(await host.Services.GetRequiredService<ICitizenStore>().ClaimUnpublishedChangesAsync(
            TimeProvider.System.GetUtcNow(), DateTimeOffset.MaxValue, TimeProvider.System.GetUtcNow().AddSeconds(1), 10, CancellationToken.None));
    }

    [Fact]
    public async Task HubQueue_IsAQuorumQueueWithADeliveryLimitAndADeadLetterRoute()
    {
        var virtualHost = await broker.CreateVirtualHostAsync();
        using (var host = await StartHostAsync(virtualHost, new ListAdapter(), batchSize: 10, deliveryLimit: 7))
        {
            await host.StopAsync();
        }

        var queues = await broker.ControlAsync("list_queues", "-p", virtualHost, "--no-table-headers", "--quiet", "name", "type", "arguments");

        var hub = queues.Split('\n').Single(l => l.StartsWith(CitizenHubServiceCollectionExtensions.HubEndpointName + "\t", StringComparison.Ordinal));
        Assert.Contains("\tquorum\t", hub, StringComparison.Ordinal);
        Assert.Contains("{\"x-delivery-limit\",7}", hub, StringComparison.Ordinal);
        Assert.Contains($"{{\"x-dead-letter-exchange\",\"{CitizenHubServiceCollectionExtensions.DeadLetterEndpointName}\"}}", hub, StringComparison.Ordinal);
        var deadLetters = queues.Split('\n').Single(l => l.StartsWith(CitizenHubServiceCollectionExtensions.DeadLetterEndpointName + "\t", StringComparison.Ordinal));
        Assert.Contains("\tquorum\t", deadLetters, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PoisonBatch_GoesToTheErrorQueueIsKeptWithItsReasonAndReplaysOnceMended()
    {
        var virtualHost = await broker.CreateVirtualHostAsync();
        var records = Enumerable.Range(1, 3).Select(i => Person(i, ni: null)).ToArray();
        using var host = await StartHostAsync(virtualHost, new ListAdapter(records), batchSize: 1, failSequence: 2);

        var summary = await RunAsync(host);
        var store = host.Services.GetRequiredService<ICitizenStore>();
        var failure = Assert.Single(await store.GetFailedMessagesAsync(includeApplied: false, CancellationToken.None));
        var inErrorQueue = await MessageCountAsync(virtualHost, CitizenHubServiceCollectionExtensions.HubEndpointName + "_error");
        PoisonStore.Cure(host.Services);
        var (outcome, _) = await host.Services.GetRequiredService<FailedMessageReplay>().ReplayAsync(failure.FailureId, CancellationToken.None);

        Assert.Equal((3, 1), (summary.Batches, summary.FailedBatches));
        Assert.Equal(1u, inErrorQueue);
        Assert.Equal((2, typeof(InvalidDataException).FullName), (failure.Message.Sequence, failure.Reason));
        Assert.Equal(ReplayOutcome.Applied, outcome);
        Assert.Equal(["1", "2", "3"], (await LinksAsync(host)).Select(l => l.SourceKey).Order());
    }

    [Fact]
    public async Task MessageDeliveredPastItsLimit_IsDeadLetteredKeptAsFailedAndReplayable()
    {
        var virtualHost = await broker.CreateVirtualHostAsync();
        using (var declaring = await StartHostAsync(virtualHost, new ListAdapter(), batchSize: 10, deliveryLimit: 2))
        {
            await declaring.StopAsync();
        }

        // Each delivery handed back unacknowledged, as when the instance holding it dies, until the broker gives up on it.
        var batch = new SourceRecordBatch(Guid.NewGuid(), "people", 1, [Records.Person("people", "9", "Nine", "Lee", (1970, 1, 9))]);
        var factory = new ConnectionFactory { Uri = new Uri(broker.Uri, Uri.EscapeDataString(virtualHost)) };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.BasicPublishAsync("", CitizenHubServiceCollectionExtensions.HubEndpointName, mandatory: true,
                new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true, MessageId = Guid.NewGuid().ToString() },
                Envelope(batch));
            for (var i = 0; i < 200 && (await channel.QueueDeclarePassiveAsync(CitizenHubServiceCollectionExtensions.DeadLetterEndpointName)).MessageCount == 0; i++)
            {
                if (await channel.BasicGetAsync(CitizenHubServiceCollectionExtensions.HubEndpointName, autoAck: false) is { } delivered)
                {
                    await channel.BasicNackAsync(delivered.DeliveryTag, multiple: false, requeue: true);
                }
                else
                {
                    await Task.Delay(25);
                }
            }
        }

        using var host = await StartHostAsync(virtualHost, new ListAdapter(), batchSize: 10, deliveryLimit: 2);
        var store = host.Services.GetRequiredService<ICitizenStore>();
        IReadOnlyList<FailedMessage> failures = [];
        for (var i = 0; i < 200 && failures.Count == 0; i++)
        {
            await Task.Delay(50);
            failures = await store.GetFailedMessagesAsync(includeApplied: false, CancellationToken.None);
        }

        var failure = Assert.Single(failures);
        var (outcome, _) = await host.Services.GetRequiredService<FailedMessageReplay>().ReplayAsync(failure.FailureId, CancellationToken.None);

        Assert.Equal(DeadLetteredMessageConsumer.Reason, failure.Reason);
        Assert.Equal(HubMessages.Identify(batch), failure.Message);
        Assert.Equal(ReplayOutcome.Applied, outcome);
        Assert.Equal(["9"], (await LinksAsync(host)).Select(l => l.SourceKey));
    }

    /// <summary>The message as MassTransit writes it (its JSON envelope), for a publish that bypasses MassTransit.</summary>
    private static byte[] Envelope(SourceRecordBatch batch) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        messageId = Guid.NewGuid(),
        messageType = new[] { "urn:message:CitizenHub.Contracts:SourceRecordBatch" },
        message = JsonDocument.Parse(HubMessages.Serialize(batch)).RootElement,
        sentTime = TimeProvider.System.GetUtcNow(),
        headers = new Dictionary<string, object>(),
    }));

    private async Task<uint> MessageCountAsync(string virtualHost, string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(broker.Uri, Uri.EscapeDataString(virtualHost)) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    private static SourceReadResult Person(int i, string? ni) =>
        SourceReadResult.Accept(Records.Person("people", i.ToString(CultureInfo.InvariantCulture), "Given" + Letters(i), "Family" + Letters(i), (1950 + i % 50, 1 + i % 12, 1 + i % 28), ni: ni));

    private static string Ni(int person) => string.Create(CultureInfo.InvariantCulture, $"AB{person:D6}C");

    /// <summary>A number in letters (<c>12</c> → <c>BC</c>): names are compared without digits, and each person needs their own.</summary>
    private static string Letters(int number) => string.Concat(number.ToString(CultureInfo.InvariantCulture).Select(d => (char)('A' + (d - '0'))));

    private static async Task<SyncRunSummary> RunAsync(IHost host)
    {
        var catalog = host.Services.GetRequiredService<SourceCatalog>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        return await host.Services.GetRequiredService<SyncRunner>().RunAsync(catalog.Sources.Single(), timeout.Token);
    }

    private Task<IHost> StartHostAsync(string virtualHost, ISourceAdapter adapter, int batchSize, int? failSequence = null, int deliveryLimit = 5) =>
        ListSourceHub.StartAsync(
            _folder.Path,
            adapter,
            new Dictionary<string, string?>
            {
                ["Transport"] = "RabbitMq",
                ["RabbitMq:Host"] = broker.Uri.Host,
                ["RabbitMq:Port"] = broker.Uri.Port.ToString(CultureInfo.InvariantCulture),
                ["RabbitMq:VirtualHost"] = virtualHost,
                ["RabbitMq:DeliveryLimit"] = deliveryLimit.ToString(CultureInfo.InvariantCulture),
                ["Sync:BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
            },
            failSequence);

    private static Task<List<CitizenLink>> LinksAsync(IHost host) => ListSourceHub.LinksAsync(host);

    private static Task WaitUntilAsync(Func<bool> condition) => ListSourceHub.WaitUntilAsync(condition);
}
