using System.Diagnostics;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// Builds silo/ once per test run in the tests' configuration: the test project does not reference it, so
/// `dotnet test` alone would not (tests/run.sh builds the solution first, and then this is a quick no-op).
/// </summary>
internal static class SiloBuild
{
    private static readonly Lazy<string> Built = new(Build);

    /// <summary>The silo's dll, built if it is older than its sources.</summary>
    public static string EnsureBuilt() => Built.Value;

    private static string Build()
    {
        var dll = RepoPaths.Program("silo", "convo-silo");
        if (UpToDate(dll, "silo")) return dll;
        var start = new ProcessStartInfo(WebSiloProcess.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["build", Path.Combine(RepoPaths.Root, "silo", "Silo.csproj"), "-c", RepoPaths.Configuration, "-nologo", "-v", "q", "-nodeReuse:false"])
            start.ArgumentList.Add(arg);
        // No build servers: they would outlive the build holding our output pipes open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        using var build = Process.Start(start)!;
        var stdout = build.StandardOutput.ReadToEndAsync();
        var stderr = build.StandardError.ReadToEndAsync();
        if (!build.WaitForExit(TimeSpan.FromMinutes(5))) build.Kill(entireProcessTree: true);
        build.WaitForExit();
        if (build.ExitCode != 0) throw new InvalidOperationException($"building silo/ failed:\n{stdout.Result}\n{stderr.Result}");
        if (!File.Exists(dll)) throw new FileNotFoundException($"the build did not produce {dll}", dll);
        return dll;
    }

    /// <summary>
    /// True when <paramref name="dll"/> is newer than every source it is built from: the project in
    /// <paramref name="projectDir"/> and the libraries under src/ (tests/run.sh builds the solution first). Then
    /// no build is needed, which saves MSBuild's start-up (seconds on a busy machine).
    /// </summary>
    public static bool UpToDate(string dll, string projectDir)
    {
        if (!File.Exists(dll)) return false;
        var built = File.GetLastWriteTimeUtc(dll);
        string[] patterns = ["*.cs", "*.csproj", "*.props", "*.json", "*.css", "*.js"];
        string[] roots = [Path.Combine(RepoPaths.Root, projectDir), Path.Combine(RepoPaths.Root, "src")];
        return roots
            .SelectMany(root => patterns.SelectMany(p => Directory.EnumerateFiles(root, p, SearchOption.AllDirectories)))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Append(Path.Combine(RepoPaths.Root, "Directory.Packages.props"))
            .Append(Path.Combine(RepoPaths.Root, "Directory.Build.props"))
            .All(f => File.GetLastWriteTimeUtc(f) <= built);
    }
}
