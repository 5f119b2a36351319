using System.Net.Http.Json;
using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// One stock silo process for the HTTP API and browser tests, on loopback without a key, with bounds tests can
/// reach: MaxPayloadBytes 4096, QueueMaxSize 2.
/// </summary>
public sealed class WebSiloFixture : IAsyncLifetime
{
    /// <summary>The silo's MaxPayloadBytes.</summary>
    public const int MaxPayloadBytes = 4096;

    /// <summary>The silo's QueueMaxSize.</summary>
    public const int QueueMaxSize = 2;

    private WebSiloProcess? _silo;

    /// <summary>The running silo.</summary>
    public WebSiloProcess Silo => _silo ?? throw new InvalidOperationException("not started");

    /// <summary>A client for it.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _silo = await WebSiloProcess.StartAsync([
            $"--Convo:Orchestrator:MaxPayloadBytes={MaxPayloadBytes}",
            $"--Convo:Orchestrator:QueueMaxSize={QueueMaxSize}",
        ]);
        Http = _silo.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_silo is not null) await _silo.DisposeAsync();
    }

    /// <summary>A fresh event id.</summary>
    public static string NewId(string prefix = "ev") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>Saves an event with PUT and asserts it worked.</summary>
    public async Task<string> SaveEventAsync(string handler, string? policyJson = null, bool active = true, string? id = null)
    {
        id ??= NewId();
        var body = $$"""{"name":"{{id}} event","handlerName":"{{handler}}"{{(policyJson is null ? "" : ",\"policy\":" + policyJson)}},"active":{{(active ? "true" : "false")}}}""";
        using var response = await Http.PutAsync($"api/events/{id}", Json(body));
        Assert.True(response.IsSuccessStatusCode, $"saving {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return id;
    }

    /// <summary>Polls the event's status until its last outcome is there; returns the status JSON.</summary>
    public Task<JsonElement> WaitForOutcomeAsync(string id, Func<JsonElement, bool>? done = null) => Eventually.MatchAsync(
        async () => await Http.GetFromJsonAsync<JsonElement>($"api/events/{id}/status"),
        s => s.TryGetProperty("lastOutcome", out var o) && o.ValueKind == JsonValueKind.Object && (done?.Invoke(s) ?? true),
        TimeSpan.FromSeconds(60), $"status of {id}", pollMs: 100);

    /// <summary>JSON request content.</summary>
    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}

[CollectionDefinition(Name)]
public sealed class WebSiloCollection : ICollectionFixture<WebSiloFixture>
{
    public const string Name = "web silo";
}
