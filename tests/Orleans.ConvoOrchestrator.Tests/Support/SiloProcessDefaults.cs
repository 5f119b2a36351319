using System.Runtime.CompilerServices;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// The stock silo serves HTTP on 127.0.0.1:8080 unless told otherwise. Every silo process a test starts inherits
/// this test host's environment, so setting the default here gives each one a free port (0) instead: tests
/// that start several silos, or test runs going on at the same time, never fight over 8080. A test that wants
/// a known port passes --http, which wins over the environment.
/// </summary>
internal static class SiloProcessDefaults
{
#pragma warning disable CA2255 // A test assembly, not a library: this must hold before any test starts a process.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void UseFreeHttpPorts()
    {
        if (Environment.GetEnvironmentVariable("Convo__Http__Urls") is null)
            Environment.SetEnvironmentVariable("Convo__Http__Urls", "http://127.0.0.1:0");
    }
}
