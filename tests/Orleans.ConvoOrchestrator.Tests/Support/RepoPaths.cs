namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>Where the repository and its built programs are, seen from the test assembly.</summary>
public static class RepoPaths
{
    /// <summary>The directory holding Orleans.ConvoOrchestrator.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whatever the tests were built as, so programs built alongside are found.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    /// <summary>The built dll of the project in <paramref name="projectDir"/> (relative to the root).</summary>
    public static string Program(string projectDir, string assemblyName) =>
        Path.Combine(Root, projectDir, "bin", Configuration, "net10.0", assemblyName + ".dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.ConvoOrchestrator.sln"))) return dir.FullName;
        throw new InvalidOperationException("Orleans.ConvoOrchestrator.sln not found above " + AppContext.BaseDirectory);
    }
}
