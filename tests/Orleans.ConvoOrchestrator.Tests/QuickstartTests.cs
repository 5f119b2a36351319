using System.Diagnostics;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The README's guide program is the sample, and the sample runs as the guide says.</summary>
[Trait(Lane.Name, Lane.System)]
public sealed class QuickstartTests
{
    private static readonly string ProgramPath = Path.Combine(RepoPaths.Root, "samples", "Quickstart", "Program.cs");

    [Fact]
    public void Readme_shows_the_sample_program_verbatim()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")).ReplaceLineEndings("\n");
        var section = readme[readme.IndexOf("## The guide in C#", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var end = section.IndexOf("```", start, StringComparison.Ordinal);

        Assert.Equal(File.ReadAllText(ProgramPath).ReplaceLineEndings("\n"), section[start..end]);
    }

    [Fact]
    public async Task Sample_prints_an_OK_outcome_and_a_snapshot_with_a_success()
    {
        var dll = RepoPaths.Program(Path.Combine("samples", "Quickstart"), "Quickstart");
        Assert.True(File.Exists(dll), $"{dll} is not built; tests/run.sh builds the whole solution first");
        var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {output}\n{await stderr}");
        Assert.Contains("Running handler for event=ev-hello, payload={\"msg\":\"manual trigger\"}", output);
        Assert.Contains("Last outcome: JobOutcome { Status = OK,", output);
        Assert.Contains("{name: jobs_succeeded_total, labels: {event_id: ev-hello}, value: 1}", output);
        Assert.Equal("", (await stderr).Trim());
    }
}
