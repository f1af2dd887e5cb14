using System.Diagnostics.Metrics;
using System.Globalization;
using CitizenHub.Hub.Telemetry;

namespace CitizenHub.Bench.Commands;

/// <summary>
/// What the hub in this process spends, while it runs: the time of each phase of resolving its messages (the hub's own
/// <c>citizenhub.hub.resolve.phase.duration</c>, summed), the largest managed heap seen (sampled twice a second), and
/// what the garbage collector paused the process for meanwhile (every thread of it, the hub's and the sync's).
/// Counts only this process's hub: the other instances of a multi-instance run have their own <c>/metrics</c>.
/// </summary>
internal sealed class HubMeasures : IDisposable
{
    private static readonly string[] Phases = [HubTelemetry.ResolvePhase.Read, HubTelemetry.ResolvePhase.Decide, HubTelemetry.ResolvePhase.Write, HubTelemetry.ResolvePhase.Commit];

    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, double> _seconds = [];
    private readonly Lock _gate = new();
    private readonly Timer _sampler;
    private long _peakHeap;
    private Func<GcDuringRun> _gc = GcDuringRun.Start();

    public HubMeasures()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HubTelemetry.Name && instrument.Name == "citizenhub.hub.resolve.phase.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "phase", Value: string phase })
                {
                    lock (_gate)
                    {
                        _seconds[phase] = _seconds.GetValueOrDefault(phase) + seconds;
                    }
                }
            }
        });
        _listener.Start();
        _sampler = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
    }

    /// <summary>Starts counting afresh (the night after a first load).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _seconds.Clear();
        }

        Interlocked.Exchange(ref _peakHeap, 0);
        _gc = GcDuringRun.Start();
        Sample();
    }

    /// <summary>The seconds spent in each phase: reading snapshots, deciding, writing change sets, committing.</summary>
    public string PhaseSeconds()
    {
        lock (_gate)
        {
            return string.Join(", ", Phases.Select(p => _seconds.GetValueOrDefault(p).ToString("0.0", CultureInfo.InvariantCulture)));
        }
    }

    public string PeakHeapMebibytes()
    {
        Sample();
        return (Interlocked.Read(ref _peakHeap) / 1048576.0).ToString("0", CultureInfo.InvariantCulture);
    }

    /// <summary>Seconds the process was paused for collections since counting began, and the collections of each generation.</summary>
    public string GcPauses()
    {
        var gc = _gc();
        return string.Create(CultureInfo.InvariantCulture, $"{gc.PauseSeconds:0.0}; {gc.Gen0}, {gc.Gen1}, {gc.Gen2}");
    }

    public void Dispose()
    {
        _sampler.Dispose();
        _listener.Dispose();
    }

    private void Sample()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        long seen;
        while (heap > (seen = Interlocked.Read(ref _peakHeap)) && Interlocked.CompareExchange(ref _peakHeap, heap, seen) != seen)
        {
        }
    }
}
