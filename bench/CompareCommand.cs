using System.Globalization;
using System.Text;
using Orleans.ConvoOrchestrator.Bench.Comparison;

namespace Orleans.ConvoOrchestrator.Bench;

/// <summary>
/// <c>convo-bench</c> (no command): every scenario against ConvoOrchestrator, Quartz.NET and Hangfire, each run
/// in a fresh child process, repeated; prints one table and writes it into docs/benchmarks.md.
/// </summary>
internal static class CompareCommand
{
    public const string Usage =
        "convo-bench [--quick] [--scale 1.0] [--repeats 3] [--memory-repeats N] [--workers 32] [--only burst,latency,...] [--doc PATH | --no-doc] [--parallel 1]";

    private static readonly string[] Options = ["--scale", "--repeats", "--memory-repeats", "--workers", "--only", "--doc", "--parallel"];
    private static readonly string[] Flags = ["--quick", "--no-doc"];

    public static async Task<int> RunAsync(CommandLine cmd)
    {
        cmd.OnlyKnown(Options, Flags);
        var quick = cmd.Has("--quick");
        var scale = Positive(cmd.Option("--scale", quick ? "0.1" : "1"), "--scale");
        var repeats = (int)Positive(cmd.Option("--repeats", quick ? "1" : "3"), "--repeats");
        var memoryRepeats = (int)Positive(cmd.Option("--memory-repeats", repeats.ToString(CultureInfo.InvariantCulture)), "--memory-repeats");
        var workers = (int)Positive(cmd.Option("--workers", SystemSettings.DefaultWorkers.ToString(CultureInfo.InvariantCulture)), "--workers");
        var parallel = (int)Positive(cmd.Option("--parallel", "1"), "--parallel");
        var only = cmd.Option("--only", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var doc = cmd.Has("--no-doc") ? null : cmd.Option("--doc", quick ? "" : DefaultDoc() ?? "");
        var plan = BenchPlan.Create(scale, repeats, memoryRepeats, workers, parallel, only);
        if (plan.Scenarios.Count == 0) throw new ArgumentException($"--only matched no scenario ({string.Join(", ", only)})");

        var loadBefore = MachineInfo.LoadAverage();
        var started = DateTimeOffset.UtcNow;
        Console.Error.WriteLine($"Comparing on {MachineInfo.Describe()}; load {loadBefore}. {plan.Describe()}.");
        var childLimit = TimeSpan.FromMinutes(quick ? 3 : 15);
        var results = await ComparisonRunner.RunAsync(plan, childLimit);
        var loadAfter = MachineInfo.LoadAverage();
        var table = new ResultTable(plan, results);

        var report = new StringBuilder();
        report.AppendLine("## Comparison with Quartz.NET and Hangfire (issues 6 and 21)");
        report.AppendLine();
        report.AppendLine($"Run of {started:yyyy-MM-dd HH:mm} UTC, {(DateTimeOffset.UtcNow - started).TotalMinutes:0.0} min: {MachineInfo.Describe()}. " +
            $"Load average (1 / 5 / 15 min) before: {loadBefore}; after: {loadAfter}.");
        report.AppendLine();
        report.AppendLine("```bash");
        report.AppendLine("dotnet run -c Release --project bench" + (cmd.Args.Count > 0 ? " -- " + string.Join(' ', cmd.Args) : ""));
        report.AppendLine("```");
        report.AppendLine();
        report.AppendLine($"Sizes: {plan.Describe()}. Each cell is the median of the runs (min–max in brackets); every run is a " +
            $"fresh process per system. Worker concurrency {workers} everywhere (ConvoOrchestrator `MaxConcurrentRuns` and the event's " +
            $"`Policy.MaxConcurrency`, Quartz `MaxConcurrency`, Hangfire `WorkerCount`); the handler does nothing but count " +
            $"(and time) its call. ↑ higher is better, ↓ lower is better; the ratios are ConvoOrchestrator's median over the other's.");
        report.AppendLine();
        report.Append(table.Render());
        report.AppendLine();
        report.AppendLine("Targets (issue 21, and those of issue 6 that still stand):");
        report.AppendLine();
        report.Append(table.RenderTargets());
        var notes = table.Notes().ToList();
        if (notes.Count > 0)
        {
            report.AppendLine();
            report.AppendLine("Notes from the runs:");
            report.AppendLine();
            foreach (var note in notes) report.AppendLine("- " + note);
        }

        Console.WriteLine(report.ToString());
        if (!string.IsNullOrEmpty(doc))
        {
            DocWriter.Write(doc, report.ToString());
            Console.Error.WriteLine($"wrote {doc}");
        }
        return table.Complete ? 0 : 1;
    }

    private static double Positive(string value, string name) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw new ArgumentException($"{name} must be a positive number, not '{value}'");

    // docs/benchmarks.md of the repository this program was built in (found from the working directory or the binary).
    private static string? DefaultDoc()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Orleans.ConvoOrchestrator.sln")))
                    return Path.Combine(dir.FullName, "docs", "benchmarks.md");
        return null;
    }
}
