using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>The build is the same wherever the clone lives.</summary>
[Trait(Lane.Name, Lane.System)]
public sealed class BuildLocationTests
{
    private static readonly Dictionary<string, string?> NoBuildServers = new()
    {
        // Build servers would outlive the build holding our output pipes open.
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["UseSharedCompilation"] = "false",
    };

    [Fact]
    public async Task A_clone_under_a_src_folder_builds_the_plugin_sample_and_still_demands_docs_of_the_libraries()
    {
        // A clone at ~/src/convo looks like this: the absolute path holds "/src/" above the repository.
        var clone = Path.Combine(Path.GetTempPath(), "convo-build-" + Guid.NewGuid().ToString("N")[..8], "src", "convo");
        try
        {
            foreach (var file in (string[])["Directory.Build.props", "Directory.Packages.props"])
                CopyFile(file, clone);
            foreach (var project in (string[])["src/Orleans.ConvoOrchestrator.Abstractions", "samples/PluginHandlers"])
                CopyProject(project, clone);

            var build = await CliRun.RunAsync(CliBinaries.DotnetHost,
                ["build", Path.Combine(clone, "samples", "PluginHandlers", "PluginHandlers.csproj"), "-c", "Release", "-nologo", "-v", "q", "-nodeReuse:false"],
                TimeSpan.FromMinutes(5), NoBuildServers);
            CliRun.AssertExit(0, build);

            // The sample may leave public members undocumented; the libraries under the repository's src/ may not.
            Assert.Contains("CS1591", await NoWarnAsync(Path.Combine(clone, "samples", "PluginHandlers", "PluginHandlers.csproj")));
            Assert.DoesNotContain("CS1591", await NoWarnAsync(Path.Combine(clone, "src", "Orleans.ConvoOrchestrator.Abstractions", "Orleans.ConvoOrchestrator.Abstractions.csproj")));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(clone))!, recursive: true);
        }
    }

    private static async Task<string> NoWarnAsync(string project)
    {
        var run = await CliRun.RunAsync(CliBinaries.DotnetHost, ["msbuild", project, "-getProperty:NoWarn", "-nologo"], TimeSpan.FromMinutes(2), NoBuildServers);
        CliRun.AssertExit(0, run);
        return run.StdOut;
    }

    private static void CopyFile(string relative, string clone)
    {
        var target = Path.Combine(clone, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(Path.Combine(RepoPaths.Root, relative), target);
    }

    // The sources only: the repository's bin/ and obj/ would bring its own restore and build results along.
    private static void CopyProject(string relative, string clone)
    {
        var source = Path.Combine(RepoPaths.Root, relative);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var inside = Path.GetRelativePath(source, file);
            if (inside.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj") continue;
            CopyFile(Path.Combine(relative, inside), clone);
        }
    }
}
