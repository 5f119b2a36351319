using Hangfire.Server;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>The no-op job methods Hangfire runs (it needs public static methods it can name in storage).</summary>
public static class HangfireJobs
{
    /// <summary>An emitted job: <paramref name="emittedAt"/> is a Stopwatch timestamp, or 0.</summary>
    public static void Run(long emittedAt) => Probe.Ran(emittedAt);

    /// <summary>
    /// A recurring fire. Hangfire passes the <see cref="PerformContext"/>; its "Time" parameter is the scheduled
    /// instant (Unix seconds; with the default Relaxed misfire mode, the latest instant that was due).
    /// </summary>
    public static void Fire(PerformContext? context)
    {
        var due = context?.BackgroundJob.ParametersSnapshot is { } p && p.TryGetValue("Time", out var time) && long.TryParse(time, out var unix)
            ? DateTimeOffset.FromUnixTimeSeconds(unix)
            : DateTimeOffset.FromUnixTimeSeconds(context!.GetJobParameter<long>("Time"));
        Probe.Fired(due);
    }
}
