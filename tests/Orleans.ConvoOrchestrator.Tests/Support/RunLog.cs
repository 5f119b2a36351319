using System.Globalization;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// The file the test plugin's "record-run" handler (tests/RunRecorder) appends to from every silo process: one line
/// when a handler execution starts and one when it ends, so a test counts executions, not history entries.
/// </summary>
public sealed class RunLog : IDisposable
{
    /// <summary>Where the log files go (one per process, this path plus "." and its id), in the temp directory.</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "convo-runs-" + Guid.NewGuid().ToString("N")[..8] + ".log");

    /// <summary>The plugin's dll, built with the solution.</summary>
    public static string Plugin => RepoPaths.Program("tests/RunRecorder", "RunRecorder");

    /// <summary>The silo environment that loads the plugin and points it at this log.</summary>
    public Dictionary<string, string> SiloEnvironment(IReadOnlyDictionary<string, string>? more = null)
    {
        var env = new Dictionary<string, string> { ["Convo__Plugins__0"] = Plugin, ["CONVO_RUN_LOG"] = Path };
        foreach (var (key, value) in more ?? new Dictionary<string, string>()) env[key] = value;
        return env;
    }

    /// <summary>Every execution recorded so far, by every process (each writes a file of its own beside <see cref="Path"/>).</summary>
    public List<Execution> Read()
    {
        var starts = new List<Execution>();
        var ends = new HashSet<(int, string, int)>();
        var files = System.IO.Directory.GetFiles(System.IO.Path.GetDirectoryName(Path)!, System.IO.Path.GetFileName(Path) + ".*");
        foreach (var line in files.SelectMany(File.ReadAllLines))
        {
            var f = line.Split(' ');
            if (f.Length != 8) continue; // a line being written
            var pid = int.Parse(f[1], CultureInfo.InvariantCulture);
            var delivery = int.Parse(f[4], CultureInfo.InvariantCulture);
            if (f[0] == "end") ends.Add((pid, f[3], delivery));
            else starts.Add(new Execution(pid, f[2], f[3], delivery, new DateTime(long.Parse(f[5], CultureInfo.InvariantCulture), DateTimeKind.Utc), false,
                f[6] == "-" ? null : new DateTimeOffset(long.Parse(f[6], CultureInfo.InvariantCulture), TimeSpan.Zero), f[7] == "1"));
        }
        return starts.Select(s => s with { Ended = ends.Contains((s.Pid, s.JobId, s.Delivery)) }).ToList();
    }

    public void Dispose()
    {
        foreach (var file in System.IO.Directory.GetFiles(System.IO.Path.GetDirectoryName(Path)!, System.IO.Path.GetFileName(Path) + ".*"))
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>One handler execution; <paramref name="ScheduledAt"/> and <paramref name="IsBackfill"/> are its context's.</summary>
    public sealed record Execution(int Pid, string EventId, string JobId, int Delivery, DateTime StartedAt, bool Ended,
        DateTimeOffset? ScheduledAt = null, bool IsBackfill = false);
}
