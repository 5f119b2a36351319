using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// The CLI (client/, "convo") against the real stock silo (silo/, "convo-silo"), both as separate processes:
/// what a user gets when following the README, including exit codes and what lands on stdout vs stderr.
/// </summary>
[Collection(StockSiloCollection.Name)]
[Trait(Lane.Name, Lane.System)]
public sealed class CliProcessTests(StockSiloFixture silo)
{
    private static readonly TimeSpan OutcomeDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Save_emit_then_status_and_metrics_report_the_job_OK()
    {
        var eventId = "ev-cli-" + Guid.NewGuid().ToString("N")[..8];
        var file = Path.Combine(Path.GetTempPath(), $"{eventId}.json");
        File.WriteAllText(file, $$"""
            {"id":"{{eventId}}","name":"hello","handlerName":"echo",
             "policy":{"timeoutSec":2,"maxRetries":0,"backoff":"FIXED","maxConcurrency":1},"active":true}
            """);
        try
        {
            var saved = await silo.RunClientAsync("events", "save", "-f", file);
            CliRun.AssertExit(0, saved);
            Assert.Contains(eventId, saved.StdOut);

            var emitted = await silo.RunClientAsync("--json", "emit", eventId, "--payload", """{"msg":"hi from the cli"}""");
            CliRun.AssertExit(0, emitted);
            var jobId = CliRun.ParseJson(emitted).GetProperty("jobId").GetString();
            Assert.False(string.IsNullOrWhiteSpace(jobId), emitted.Describe());

            // The job runs asynchronously: poll until an outcome is recorded.
            JsonElement status;
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var run = await silo.RunClientAsync("status", eventId, "--json");
                CliRun.AssertExit(0, run);
                status = CliRun.ParseJson(run);
                if (status.TryGetProperty("lastOutcome", out var last) && last.ValueKind == JsonValueKind.Object) break;
                Assert.True(deadline.Elapsed < OutcomeDeadline, $"no outcome within {OutcomeDeadline}; last status: {run.StdOut}");
                await Task.Delay(500);
            }
            var outcome = status.GetProperty("lastOutcome");
            Assert.Equal("OK", outcome.GetProperty("status").GetString());
            Assert.True(status.GetProperty("active").GetBoolean());
            // echo returns the payload's JSON, so the preview proves the payload made the trip.
            Assert.Contains("hi from the cli", outcome.GetProperty("resultPreview").GetString());

            var history = await silo.RunClientAsync("--json", "history", eventId, "--limit", "5");
            CliRun.AssertExit(0, history);
            var records = CliRun.ParseJson(history).EnumerateArray().ToList();
            Assert.Contains(records, r => r.GetProperty("jobId").GetString() == jobId);

            var metrics = await silo.RunClientAsync("metrics", "--json");
            CliRun.AssertExit(0, metrics);
            var succeeded = CliRun.ParseJson(metrics).GetProperty("counters").EnumerateArray()
                .Where(c => c.GetProperty("name").GetString() == MetricNames.JobsSucceeded
                    && c.GetProperty("labels").TryGetProperty(MetricNames.EventIdLabel, out var e) && e.GetString() == eventId)
                .Sum(c => c.GetProperty("value").GetInt64());
            Assert.True(succeeded >= 1, $"{MetricNames.JobsSucceeded} for {eventId} is {succeeded}; metrics: {metrics.StdOut}");

            // The human form is a table naming the event.
            var table = await silo.RunClientAsync("events", "list");
            CliRun.AssertExit(0, table);
            Assert.Contains(table.StdOut.Split('\n'), line => line.StartsWith(eventId + " ", StringComparison.Ordinal) && line.Contains("echo"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task An_orchestrator_error_exits_1_with_its_kind_on_stderr()
    {
        var run = await silo.RunClientAsync("--json", "status", "ev-does-not-exist-" + Guid.NewGuid().ToString("N")[..8]);

        CliRun.AssertExit(1, run);
        Assert.StartsWith("error: NOT_FOUND: ", run.StdErr.Trim());
        Assert.Equal("", run.StdOut.Trim());
    }
}

/// <summary>
/// The CLI without any silo: connection failures and bad input. The connection failures and one bad file run as
/// processes; the other refusals (exit 2 before connecting) call convo's entry point in this process
/// (<see cref="CliEntryPoint"/>): the same parsing and messages, without a dotnet start-up per case.
/// </summary>
[Trait(Lane.Name, Lane.System)]
public sealed class CliProcessTestsWithoutSilo
{
    [Fact]
    public async Task No_silo_exits_3_quickly_with_one_clear_line_and_no_stack_trace()
    {
        var port = FreePorts.Next(); // nothing listens here
        var run = await CliRun.RunClientAsync(["--gateway-port", port.ToString(), "--cluster-id", "nobody", "--json", "status", "ev-x"]);

        CliRun.AssertExit(3, run);
        Assert.Contains($"no silo reachable at localhost:{port}", run.StdErr);
        Assert.Contains("dotnet run --project silo", run.StdErr);
        Assert.DoesNotContain("Exception", run.StdErr);
        Assert.DoesNotContain(run.StdErr.Split('\n'), line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.Equal("", run.StdOut.Trim());
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(20), $"took {run.Elapsed}");
    }

    [Theory]
    [InlineData("@ev-at")]
    [InlineData("--", "-ev-dash")]
    public async Task Ids_starting_with_an_at_sign_or_a_dash_travel_as_ids(params string[] id)
    {
        // No silo: getting as far as connecting (exit 3) shows the id was read as an id, not as a response file or an option.
        var run = await CliRun.RunClientAsync(["--gateway-port", FreePorts.Next().ToString(), "status", .. id]);

        CliRun.AssertExit(3, run);
        Assert.Contains("no silo reachable", run.StdErr);
    }

    [Fact]
    public async Task A_malformed_event_file_exits_2_without_needing_a_silo()
    {
        var file = Path.Combine(Path.GetTempPath(), $"convo-bad-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{"id":"ev-bad","name":""");
        try
        {
            var run = await CliRun.RunClientAsync(["--gateway-port", FreePorts.Next().ToString(), "events", "save", "-f", file]);

            CliRun.AssertExit(2, run);
            Assert.Contains("is not a valid event definition", run.StdErr);
            Assert.DoesNotContain("Exception", run.StdErr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("""{"id":"ev-bad","name":"x","handlerName":"echo","activ":false}""", "unknown property 'activ'; expected an object with the properties id, name")]
    [InlineData("""{"id":"ev-bad","name":"x","handlerName":"echo","policy":{"maxConcurrency":"many"}}""", "$.policy.maxConcurrency: expected a whole number")]
    [InlineData("""{"id":"ev-bad","name":"x","handlerName":"echo",}""", "not valid JSON at line 1")]
    public async Task An_event_file_of_the_wrong_shape_is_explained_by_JSON_path_not_by_NET_type(string json, string message)
    {
        var file = Path.Combine(Path.GetTempPath(), $"convo-shape-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, json);
        try
        {
            var run = await CliEntryPoint.RunAsync(["--gateway-port", FreePorts.Next().ToString(), "events", "save", "-f", file]);

            CliRun.AssertExit(2, run);
            Assert.Contains(message, run.StdErr);
            Assert.DoesNotContain("Orleans.ConvoOrchestrator", run.StdErr);
            Assert.DoesNotContain("System.", run.StdErr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("say when the trigger fires", "triggers", "attach", "ev-x")]
    [InlineData("'10' is not a duration", "triggers", "attach", "ev-x", "--every", "10")]
    [InlineData("a trigger has one kind: choose one of --at, --every", "triggers", "attach", "ev-x", "--every", "1s", "--at", "+1s")]
    [InlineData("--kind interval contradicts --cron", "triggers", "attach", "ev-x", "--kind", "interval", "--cron", "* * * * *")]
    [InlineData("invalid trigger: jitter must be shorter than the interval", "triggers", "attach", "ev-x", "--every", "5s", "--jitter", "10s")]
    [InlineData("time zone 'Mars/Olympus' is not known", "triggers", "attach", "ev-x", "--cron", "* * * * *", "--tz", "Mars/Olympus")]
    [InlineData("-f cannot be combined with --every", "triggers", "attach", "ev-x", "-f", "t.json", "--every", "1s")]
    [InlineData("is not a subscription id", "triggers", "detach", "ev-x")]
    [InlineData("event id '..' is only dots", "status", "..")]
    [InlineData("trigger id '.' is only dots", "triggers", "fire", ".")]
    [InlineData("--interval must be at least 100 ms", "watch", "--interval", "10ms")]
    [InlineData("--count must be at least 1", "watch", "--count", "0")]
    [InlineData("--payload: payload is not valid JSON", "test-run", "ev-x", "--payload", "{nope")]
    [InlineData("'bogus' is not supported", "--redis", "127.0.0.1:6379,bogus=1", "status", "ev-x")]
    public async Task Bad_input_exits_2_with_a_clear_message_before_connecting(string message, params string[] args)
    {
        // Nothing listens on the gateway port: the answer must come from the CLI itself, at once.
        var run = await CliEntryPoint.RunAsync(["--gateway-port", FreePorts.Next().ToString(), .. args]);

        CliRun.AssertExit(2, run);
        Assert.Contains(message, run.StdErr);
        Assert.DoesNotContain("Exception", run.StdErr);
        Assert.Equal("", run.StdOut.Trim());
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(20), run.Describe());
    }
}

/// <summary>The CLI test classes that share one stock silo (starting one takes seconds).</summary>
[CollectionDefinition(Name)]
public sealed class StockSiloCollection : ICollectionFixture<StockSiloFixture>
{
    public const string Name = "stock silo for the CLI";
}

/// <summary>Starts the stock silo on free ports with a unique cluster id, and stops it after the tests using it.</summary>
public class StockSiloFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _silo;

    public int GatewayPort { get; } = FreePorts.Next();
    public int SiloPort { get; } = FreePorts.Next();

    /// <summary>The silo's HTTP port (loopback, no key): <see cref="SaveEventAsync"/> sets events up through it.</summary>
    public int HttpPort { get; } = FreePorts.Next();
    public string ClusterId { get; } = "cli-test-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Arguments added to the silo's command line (its store, for instance).</summary>
    protected virtual IEnumerable<string> ExtraSiloArguments => [];

    /// <summary>The connection arguments every CLI run against this silo gets.</summary>
    protected virtual IEnumerable<string> ClientConnectionArguments => ["--gateway-port", GatewayPort.ToString()];

    public virtual async Task InitializeAsync()
    {
        var binaries = await CliBinaries.EnsureBuiltAsync();
        var start = new ProcessStartInfo(CliBinaries.DotnetHost)
        {
            WorkingDirectory = Path.GetDirectoryName(binaries.Silo)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[
            binaries.Silo,
            "--silo-port", SiloPort.ToString(), "--gateway-port", GatewayPort.ToString(),
            "--cluster-id", ClusterId, "--service-id", ClusterId,
            "--http", $"http://127.0.0.1:{HttpPort}",
            // The readiness line is logged under Orleans.ConvoOrchestrator.Silo; make sure a quieter
            // appsettings.json ("Orleans": "Warning") cannot hide it.
            "--Logging:LogLevel:Orleans.ConvoOrchestrator.Silo=Information", .. ExtraSiloArguments])
            start.ArgumentList.Add(arg);

        _silo = new Process { StartInfo = start, EnableRaisingEvents = true };
        _silo.OutputDataReceived += (_, e) => OnLine(e.Data);
        _silo.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _silo.Exited += (_, _) => _up.TrySetException(new InvalidOperationException("the silo exited before it was up"));
        _silo.Start();
        _silo.BeginOutputReadLine();
        _silo.BeginErrorReadLine();

        try
        {
            await _up.Task.WaitAsync(StartDeadline);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"stock silo did not report 'silo is up' within {StartDeadline} ({ex.Message}). Its output:\n{Log}", ex);
        }
    }

    public virtual async Task DisposeAsync()
    {
        if (_silo is null) return;
        try
        {
            if (!_silo.HasExited) _silo.Kill(entireProcessTree: true);
            await _silo.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception)
        {
            // Already gone, or will be reaped with the test host: nothing else to do.
        }
        _silo.Dispose();
    }

    /// <summary>Runs the CLI against this silo.</summary>
    public Task<CliRun> RunClientAsync(params string[] args) => CliRun.RunClientAsync(
        [.. ClientConnectionArguments, "--cluster-id", ClusterId, "--service-id", ClusterId, .. args]);

    /// <summary>
    /// Sets up an event with <paramref name="handler"/> (a built-in) for a test of another command; returns its id.
    /// Through the silo's HTTP API: a CLI process costs about a second of CPU, and <c>events save -f</c> has tests
    /// of its own (<see cref="SaveEventThroughCliAsync"/>, CliProcessTests, BulkSetupCliTests).
    /// </summary>
    public async Task<string> SaveEventAsync(string handler = "echo", int maxConcurrency = 1)
    {
        var (eventId, json) = NewEvent(handler, maxConcurrency);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(60) };
        using var response = await http.PutAsync($"api/events/{eventId}", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"saving {eventId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return eventId;
    }

    /// <summary>As <see cref="SaveEventAsync"/>, with <c>convo events save -f</c> (this fixture's connection arguments).</summary>
    public async Task<string> SaveEventThroughCliAsync(string handler = "echo", int maxConcurrency = 1)
    {
        var (eventId, json) = NewEvent(handler, maxConcurrency);
        var file = Path.Combine(Path.GetTempPath(), $"{eventId}.json");
        File.WriteAllText(file, json);
        try
        {
            CliRun.AssertExit(0, await RunClientAsync("events", "save", "-f", file));
            return eventId;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static (string EventId, string Json) NewEvent(string handler, int maxConcurrency)
    {
        var eventId = $"ev-cli-{handler}-" + Guid.NewGuid().ToString("N")[..8];
        return (eventId, $$"""
            {"id":"{{eventId}}","name":"{{handler}} from the cli tests","handlerName":"{{handler}}",
             "policy":{"timeoutSec":5,"maxRetries":0,"backoff":"FIXED","maxConcurrency":{{maxConcurrency}}},"active":true}
            """);
    }

    private string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        if (line.Contains("silo is up", StringComparison.Ordinal)) _up.TrySetResult();
    }
}

/// <summary>One finished CLI process.</summary>
public sealed record CliRun(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    private static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(90);

    public string Describe() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";

    public static void AssertExit(int expected, CliRun run) =>
        Assert.True(run.ExitCode == expected, $"expected exit {expected}; got {run.Describe()}");

    public static JsonElement ParseJson(CliRun run)
    {
        try
        {
            using var doc = JsonDocument.Parse(run.StdOut);
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            Assert.Fail($"stdout is not JSON ({ex.Message}): {run.Describe()}");
            throw;
        }
    }

    /// <summary>Runs the CLI. CONVO_REDIS is only what <paramref name="environment"/> says, never the caller's shell's.</summary>
    public static async Task<CliRun> RunClientAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var binaries = await CliBinaries.EnsureBuiltAsync();
        var env = new Dictionary<string, string?> { ["CONVO_REDIS"] = null };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) env[key] = value;
        return await RunAsync(CliBinaries.DotnetHost, [binaries.Client, .. args], RunDeadline, env);
    }

    /// <summary>Runs a process to its end; an environment value of null removes that variable.</summary>
    public static async Task<CliRun> RunAsync(string fileName, IReadOnlyList<string> args, TimeSpan deadline, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', args)}' did not finish within {deadline}; stdout: {stdout}; stderr: {stderr}");
        }
        lock (stdout) lock (stderr) return new CliRun(process.ExitCode, stdout.ToString(), stderr.ToString(), clock.Elapsed);
    }
}

/// <summary>
/// Locates silo/ and client/ next to the solution and builds them, once per test run, in this test assembly's
/// configuration: the test project does not reference them, so `dotnet test` alone would not build them (unless
/// they are newer than their sources already).
/// </summary>
public static class CliBinaries
{
    private static readonly Lazy<Task<(string Silo, string Client)>> Built = new(BuildAsync);

    /// <summary>The dotnet host that runs this test (set by the SDK), else "dotnet" from PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static Task<(string Silo, string Client)> EnsureBuiltAsync() => Built.Value;

    private static async Task<(string Silo, string Client)> BuildAsync()
    {
        var root = FindRepositoryRoot();
        var configuration = typeof(CliBinaries).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var silo = Path.Combine(root, "silo", "bin", configuration, "net10.0", "convo-silo.dll");
        var client = Path.Combine(root, "client", "bin", configuration, "net10.0", "convo.dll");
        // Built after their last change (tests/run.sh builds the solution first): two MSBuild runs saved.
        if (SiloBuild.UpToDate(silo, "silo") && SiloBuild.UpToDate(client, "client")) return (silo, client);

        // No build servers or reused nodes: they would outlive the build holding our output pipes open.
        var environment = new Dictionary<string, string?>
        {
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["UseSharedCompilation"] = "false",
        };
        // One after the other: both reference the Client and Abstractions projects.
        foreach (var project in (string[])["client/Client.csproj", "silo/Silo.csproj"])
        {
            var build = await CliRun.RunAsync(DotnetHost,
                ["build", Path.Combine(root, project), "-c", configuration, "-nologo", "-v", "q", "-nodeReuse:false"],
                TimeSpan.FromMinutes(5), environment);
            if (build.ExitCode != 0) throw new InvalidOperationException($"building {project} failed: {build.Describe()}");
        }

        foreach (var dll in (string[])[silo, client])
            if (!File.Exists(dll)) throw new FileNotFoundException($"the build did not produce {dll}", dll);
        return (silo, client);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.ConvoOrchestrator.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Orleans.ConvoOrchestrator.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>
/// convo's own entry point called inside the test process, for the refusal matrix: input the CLI must refuse
/// (exit 2) before it connects anywhere. Same Main, arguments, exit code and output as the process, without a
/// dotnet start-up per case; every command involved also runs as a real process in the other CLI tests.
/// convo.dll and its dependencies load in a load context of their own, resolved from convo.deps.json as the host
/// would resolve them; the framework (Console included) is shared.
/// </summary>
public static class CliEntryPoint
{
    private static readonly Lazy<Task<MethodInfo>> Main = new(LoadAsync);

    // Console and the environment are process-wide: one call at a time.
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    /// <summary>Runs convo's Main with <paramref name="args"/>, CONVO_REDIS unset, capturing what it prints.</summary>
    public static async Task<CliRun> RunAsync(IReadOnlyList<string> args)
    {
        var main = await Main.Value;
        await OneAtATime.WaitAsync();
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var (consoleOut, consoleError) = (Console.Out, Console.Error);
        var redis = Environment.GetEnvironmentVariable("CONVO_REDIS");
        try
        {
            Environment.SetEnvironmentVariable("CONVO_REDIS", null);
            Console.SetOut(stdout);
            Console.SetError(stderr);
            var clock = Stopwatch.StartNew();
            // The compiler's entry point of an async top-level program returns int (it waits for the Task<int>).
            var result = await Task.Run(() => main.Invoke(null, [args.ToArray()]));
            var exit = result is Task<int> task ? await task : (int)result!;
            return new CliRun(exit, stdout.ToString(), stderr.ToString(), clock.Elapsed);
        }
        finally
        {
            Console.SetOut(consoleOut);
            Console.SetError(consoleError);
            Environment.SetEnvironmentVariable("CONVO_REDIS", redis);
            OneAtATime.Release();
        }
    }

    private static async Task<MethodInfo> LoadAsync()
    {
        var (_, client) = await CliBinaries.EnsureBuiltAsync();
        var context = new ClientLoadContext(client);
        return context.LoadFromAssemblyPath(client).EntryPoint
            ?? throw new InvalidOperationException($"{client} has no entry point");
    }

    private sealed class ClientLoadContext(string mainAssembly) : System.Runtime.Loader.AssemblyLoadContext("convo")
    {
        private readonly System.Runtime.Loader.AssemblyDependencyResolver _resolver = new(mainAssembly);

        // The client's own dependencies from its folder; null (the framework, from the default context) otherwise.
        protected override Assembly? Load(AssemblyName assemblyName) =>
            _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
