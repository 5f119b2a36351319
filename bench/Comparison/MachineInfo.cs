using System.Globalization;
using System.Runtime.InteropServices;

namespace Orleans.ConvoOrchestrator.Bench.Comparison;

/// <summary>The machine a run was taken on, for the report.</summary>
internal static class MachineInfo
{
    public static string Describe() =>
        $"{Environment.ProcessorCount} cores, {MemoryGiB()} memory, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), " +
        $".NET {Environment.Version}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC" +
        (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? "" : " (concurrent)");

    /// <summary>The 1-, 5- and 15-minute load averages (Linux), or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} / {parts[1]} / {parts[2]}";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static string MemoryGiB()
    {
        var bytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return (bytes / (1024.0 * 1024 * 1024)).ToString("0", CultureInfo.InvariantCulture) + " GiB";
    }
}
