using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary><c>metrics</c>: the cluster's metrics snapshot (counters, and histograms with their counts).</summary>
internal static class MetricsCommand
{
    public static Command Create()
    {
        var command = new Command("metrics", "Show the cluster's metrics snapshot");
        command.SetClusterAction((_, output) => async (orchestrator, cancellationToken) =>
        {
            var got = await orchestrator.MetricsSnapshotAsync(cancellationToken);
            if (got.IsErr) return output.Fail(got.Error);
            var snapshot = got.Unwrap();
            if (output.Json)
            {
                output.WriteJson(snapshot);
                return ExitCodes.Ok;
            }
            WriteCounters(output, snapshot);
            output.WriteLine();
            WriteHistograms(output, snapshot);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteCounters(Output output, MetricsSnapshot snapshot)
    {
        output.WriteLine("counters");
        if (snapshot.Counters.Count == 0)
        {
            output.WriteLine("  (none yet)");
            return;
        }
        var table = Table.WithHeaders("NAME", "LABELS", "VALUE");
        foreach (var c in snapshot.Counters) table.Add(c.Name, Format.Labels(c.Labels), c.Value);
        output.Write(table);
    }

    private static void WriteHistograms(Output output, MetricsSnapshot snapshot)
    {
        output.WriteLine("histograms");
        if (snapshot.Histograms.Count == 0)
        {
            output.WriteLine("  (none yet)");
            return;
        }
        var table = Table.WithHeaders("NAME", "LABELS", "COUNT", "SUM", "MEAN", "BUCKETS");
        foreach (var h in snapshot.Histograms)
        {
            var count = h.Count;
            table.Add(h.Name, Format.Labels(h.Labels), count, Format.Number(h.Sum),
                count == 0 ? null : Format.Number(h.Sum / count), Buckets(h));
        }
        output.Write(table);
    }

    // Only the non-empty buckets, "<=bound:count"; the overflow bucket is ">last:count".
    private static string Buckets(HistogramSample h)
    {
        var parts = new List<string>();
        for (var i = 0; i < h.Counts.Length; i++)
        {
            if (h.Counts[i] == 0) continue;
            parts.Add(i < h.Buckets.Length
                ? $"<={Format.Number(h.Buckets[i])}:{h.Counts[i]}"
                : $">{(h.Buckets.Length > 0 ? Format.Number(h.Buckets[^1]) : "0")}:{h.Counts[i]}");
        }
        return parts.Count == 0 ? Format.None : string.Join(" ", parts);
    }
}
