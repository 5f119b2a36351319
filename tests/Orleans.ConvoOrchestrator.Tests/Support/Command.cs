using System.Diagnostics;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>Runs a program to its end and keeps what it printed: podman, node, the setup scripts.</summary>
public static class Command
{
    /// <summary>The exit code and both outputs of one run.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>Both outputs, for failure messages.</summary>
        public string Output => (Stdout + "\n" + Stderr).Trim();
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; killed (and reported) past <paramref name="within"/>.</summary>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, TimeSpan within,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} ran past {within}:\n{await stdout}\n{await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>As <see cref="RunAsync"/>, and throws with the output unless the exit code is 0.</summary>
    public static async Task<Result> RunCheckedAsync(string file, IEnumerable<string> args, TimeSpan within,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = await RunAsync(file, args, within, environment);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {result.ExitCode}:\n{result.Output}");
        return result;
    }
}
