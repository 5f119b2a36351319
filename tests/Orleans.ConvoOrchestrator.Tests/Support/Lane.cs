namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// The lanes of this project's tests, as an xunit trait (<c>--filter Lane=Cluster</c>). The unit lane is its own
/// project, tests/Orleans.ConvoOrchestrator.UnitTests, which runs in parallel. <see cref="LaneTests"/> checks that
/// every test class here names its lane.
/// </summary>
internal static class Lane
{
    /// <summary>The trait's name.</summary>
    public const string Name = "Lane";

    /// <summary>In-process only: Orleans test clusters, the embedded manager, stores in memory.</summary>
    public const string Cluster = "Cluster";

    /// <summary>Beyond the test process: silo and CLI processes, dotnet builds, Redis, PostgreSQL, Chromium, containers.</summary>
    public const string System = "System";
}
