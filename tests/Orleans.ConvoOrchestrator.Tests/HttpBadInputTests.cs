using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>
/// Every kind of bad request the HTTP API can get, as a careless user or an attacker would send it: each gets its
/// status and problem JSON with a <c>kind</c> and a detail in the JSON's terms (no .NET type names), and changes
/// nothing. In paths and bodies <c>{ev}</c> is an existing event and <c>{tr}</c> an EXTERNAL trigger attached to it.
/// </summary>
[Collection(WebSiloCollection.Name)]
[Trait(Lane.Name, Lane.System)]
public sealed class HttpBadInputTests(WebSiloFixture web)
{
    private const string Json = "application/json";
    private const string Valid = """{"name":"x","handlerName":"echo"}""";

    /// <summary>One bad request and the answer it must get; <see cref="DetailHas"/> is a piece of the problem's detail.</summary>
    public sealed record Case(string Method, string Path, string? Body, string? ContentType, int Status, string Kind, string? DetailHas = null)
    {
        public byte[]? RawBody { get; init; }
        public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // Bodies that are not JSON, or not one JSON value.
        ["malformed JSON"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":""", Json, 400, "VALIDATION", "not valid JSON at line 1"),
        ["truncated string"] = new("PUT", "api/events/{ev}", """{"name":"x""", Json, 400, "VALIDATION", "not valid JSON"),
        ["two JSON values"] = new("PUT", "api/events/{ev}", Valid + " {}", Json, 400, "VALIDATION", "not valid JSON"),
        ["single quotes"] = new("PUT", "api/events/{ev}", "{'name':'x','handlerName':'echo'}", Json, 400, "VALIDATION", "not valid JSON"),
        ["trailing comma"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":"echo",}""", Json, 400, "VALIDATION", "not valid JSON"),
        ["empty body"] = new("PUT", "api/events/{ev}", "", Json, 400, "VALIDATION", "must be an event definition as JSON"),
        ["blank body"] = new("PUT", "api/events/{ev}", "  \n ", Json, 400, "VALIDATION", "must be an event definition as JSON"),
        ["JSON null"] = new("PUT", "api/events/{ev}", "null", Json, 400, "VALIDATION", "not null"),
        ["an array, not an object"] = new("PUT", "api/events/{ev}", "[]", Json, 400, "VALIDATION", "$: expected an object with the properties id, name, handlerName"),
        ["a string, not an object"] = new("PUT", "api/events/{ev}", "\"echo\"", Json, 400, "VALIDATION", "$: expected an object"),
        ["not UTF-8"] = new("PUT", "api/events/{ev}", null, Json, 400, "VALIDATION", "not UTF-8") { RawBody = [0x7b, 0xff, 0xfe, 0x7d] },

        // Bodies of the wrong shape.
        ["number for a string"] = new("PUT", "api/events/{ev}", """{"name":42,"handlerName":"echo"}""", Json, 400, "VALIDATION", "$.name: expected a string"),
        ["word for a number"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":"echo","policy":{"maxConcurrency":"three"}}""", Json, 400, "VALIDATION", "$.policy.maxConcurrency: expected a whole number"),
        ["number too big"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":"echo","policy":{"maxConcurrency":99999999999999999999}}""", Json, 400, "VALIDATION", "$.policy.maxConcurrency: expected a whole number from -2147483648 to 2147483647"),
        ["fraction for a whole number"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":"echo","policy":{"maxRetries":1.5}}""", Json, 400, "VALIDATION", "$.policy.maxRetries: expected a whole number"),
        ["number past double"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":"echo","policy":{"timeoutSec":1e400}}""", Json, 400, "VALIDATION", "timeout_sec must be > 0 and <= 86400 (got Infinity)"),
        ["negative timeout"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":"echo","policy":{"timeoutSec":-5}}""", Json, 400, "VALIDATION", "timeout_sec must be > 0"),
        ["string for a boolean"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":"echo","active":"yes"}""", Json, 400, "VALIDATION", "$.active: expected true or false"),
        ["unknown property"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":"echo","activ":false}""", Json, 400, "VALIDATION", "unknown property 'activ'; expected an object with the properties id, name, handlerName, policy, active, metadata"),
        ["unknown nested property"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":"echo","policy":{"maxConcurency":2}}""", Json, 400, "VALIDATION", "unknown property 'maxConcurency' in $.policy"),
        ["unknown enum name"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":"echo","policy":{"backoff":"SOMETIMES"}}""", Json, 400, "VALIDATION", "$.policy.backoff: expected one of \"FIXED\", \"EXP\", \"EXP_JITTER\""),
        ["metadata value not a string"] = new("PUT", "api/events/{ev}", """{"name":"x","handlerName":"echo","metadata":{"a":1}}""", Json, 400, "VALIDATION", "$.metadata.a: expected a string"),
        ["id in the body differs from the route"] = new("PUT", "api/events/{ev}", """{"id":"someone-else","name":"x","handlerName":"echo"}""", Json, 400, "VALIDATION", "differs from the route"),
        ["empty name"] = new("PUT", "api/events/{ev}", """{"name":"","handlerName":"echo"}""", Json, 400, "VALIDATION", "name must not be empty"),

        // Content types other than JSON (curl -d sends a form; a browser form or fetch can send text/plain).
        ["text/plain"] = new("PUT", "api/events/{ev}", Valid, "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type: application/json"),
        ["form"] = new("PUT", "api/events/{ev}", Valid, "application/x-www-form-urlencoded", 415, "UNSUPPORTED_MEDIA_TYPE", "got application/x-www-form-urlencoded"),
        ["no content type"] = new("PUT", "api/events/{ev}", Valid, null, 415, "UNSUPPORTED_MEDIA_TYPE", "got no Content-Type"),
        ["emit as text/plain"] = new("POST", "api/events/{ev}/emit", """{"n":1}""", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"),
        ["fire as a form"] = new("POST", "api/triggers/{tr}/fire", "n=1", "application/x-www-form-urlencoded", 415, "UNSUPPORTED_MEDIA_TYPE"),

        // Ids no place they travel to could carry.
        ["id '.' in the body"] = new("POST", "api/events", """{"id":".","name":"x","handlerName":"echo"}""", Json, 400, "VALIDATION", "event id '.' is only dots"),
        ["id '..' in the body"] = new("POST", "api/events", """{"id":"..","name":"x","handlerName":"echo"}""", Json, 400, "VALIDATION", "event id '..' is only dots"),
        ["id '...' in the body"] = new("POST", "api/events", """{"id":"...","name":"x","handlerName":"echo"}""", Json, 400, "VALIDATION", "only dots"),
        ["id with a slash"] = new("POST", "api/events", """{"id":"a/b","name":"x","handlerName":"echo"}""", Json, 400, "VALIDATION", "outside [A-Za-z0-9._:@-]"),
        ["id with a control character"] = new("POST", "api/events", """{"id":"a\u0001b","name":"x","handlerName":"echo"}""", Json, 400, "VALIDATION", "outside [A-Za-z0-9._:@-]"),
        ["id of 201 characters"] = new("POST", "api/events", $$"""{"id":"{{new string('a', 201)}}","name":"x","handlerName":"echo"}""", Json, 400, "VALIDATION", "at most 200"),
        ["id not a string"] = new("POST", "api/events", """{"id":7,"name":"x","handlerName":"echo"}""", Json, 400, "VALIDATION", "$.id: expected an id as a string"),
        ["no id"] = new("POST", "api/events", Valid, Json, 400, "VALIDATION", "event id must not be empty"),
        ["percent-encoded slash in the route"] = new("PUT", "api/events/a%2Fb", Valid, Json, 400, "VALIDATION", "outside [A-Za-z0-9._:@-]"),
        ["percent-encoded space in the route"] = new("GET", "api/events/bad%20id", null, null, 400, "VALIDATION", "outside [A-Za-z0-9._:@-]"),
        ["percent-encoded control character in the route"] = new("GET", "api/events/a%01b", null, null, 400, "VALIDATION", "'a?b'"),
        ["non-ASCII in the route"] = new("DELETE", "api/events/caf%C3%A9", null, null, 400, "VALIDATION", "outside [A-Za-z0-9._:@-]"),
        ["route id of 201 characters"] = new("GET", "api/events/" + new string('a', 201) + "/status", null, null, 400, "VALIDATION", "at most 200"),
        ["trigger id '..'"] = new("POST", "api/events/{ev}/triggers", """{"id":"..","kind":"EXTERNAL"}""", Json, 400, "VALIDATION", "trigger id '..' is only dots"),

        // Triggers that cannot be.
        ["negative interval"] = new("POST", "api/events/{ev}/triggers", """{"id":"tr-neg","kind":"INTERVAL","interval":"-00:00:01"}""", Json, 400, "VALIDATION", "interval must be between"),
        ["interval without a unit"] = new("POST", "api/events/{ev}/triggers", """{"id":"tr-10","kind":"INTERVAL","interval":"10"}""", Json, 400, "VALIDATION", "$.interval: expected a duration"),
        ["interval not a duration"] = new("POST", "api/events/{ev}/triggers", """{"id":"tr-x","kind":"INTERVAL","interval":"soon"}""", Json, 400, "VALIDATION", "$.interval: expected a duration"),
        ["interval as a number"] = new("POST", "api/events/{ev}/triggers", """{"id":"tr-x","kind":"INTERVAL","interval":10}""", Json, 400, "VALIDATION", "$.interval: expected a duration"),
        ["interval of a million days"] = new("POST", "api/events/{ev}/triggers", """{"id":"tr-x","kind":"INTERVAL","interval":"1000000.00:00:00"}""", Json, 400, "VALIDATION", "interval"),
        ["unknown trigger kind"] = new("POST", "api/events/{ev}/triggers", """{"id":"tr-x","kind":"SOMETIMES"}""", Json, 400, "VALIDATION", "$.kind: expected one of \"AT\""),
        ["instant not ISO 8601"] = new("POST", "api/events/{ev}/triggers", """{"id":"tr-x","kind":"AT","at":"tomorrow"}""", Json, 400, "VALIDATION", "$.at: expected an instant"),
        ["negative jitter"] = new("POST", "api/events/{ev}/triggers", """{"id":"tr-x","kind":"INTERVAL","interval":"00:00:10","jitter":"-00:00:01"}""", Json, 400, "VALIDATION", "jitter must not be negative"),
        ["trigger for an unknown event"] = new("POST", "api/events/ev-nobody-has/triggers", """{"id":"tr-x","kind":"EXTERNAL"}""", Json, 404, "NOT_FOUND"),

        // Payloads, emits and fires.
        ["emit of malformed JSON"] = new("POST", "api/events/{ev}/emit", "{nope", Json, 400, "VALIDATION", "payload is not valid JSON"),
        ["emit nested past the depth limit"] = new("POST", "api/events/{ev}/emit", new string('[', 100) + new string(']', 100), Json, 400, "VALIDATION", "payload is not valid JSON"),
        ["emit to an unknown event"] = new("POST", "api/events/ev-nobody-has/emit", "{}", Json, 404, "NOT_FOUND"),
        ["emit with a huge correlation id"] = new("POST", "api/events/{ev}/emit", "{}", Json, 400, "VALIDATION", "correlation id")
        {
            Headers = new Dictionary<string, string> { ["X-Correlation-Id"] = new string('c', 5000) },
        },
        ["test-run of malformed JSON"] = new("POST", "api/events/{ev}/test-run", "[1,", Json, 400, "VALIDATION", "payload is not valid JSON"),
        ["fire of malformed JSON"] = new("POST", "api/triggers/{tr}/fire", "{\"a\":}", Json, 400, "VALIDATION", "payload is not valid JSON"),
        ["fire of an unknown trigger"] = new("POST", "api/triggers/tr-nobody-has/fire", "{}", Json, 404, "NOT_FOUND"),
        ["body over MaxPayloadBytes"] = new("POST", "api/events/{ev}/emit", "\"" + new string('a', WebSiloFixture.MaxPayloadBytes) + "\"", Json, 413, "PAYLOAD_TOO_LARGE"),

        // Query parameters out of range.
        ["limit not a number"] = new("GET", "api/events/{ev}/history?limit=abc", null, null, 400, "VALIDATION", "limit 'abc'"),
        ["limit zero"] = new("GET", "api/events/{ev}/history?limit=0", null, null, 400, "VALIDATION", "limit '0'"),
        ["limit negative"] = new("GET", "api/events/{ev}/history?limit=-3", null, null, 400, "VALIDATION", "limit '-3'"),
        ["limit past int"] = new("GET", "api/events/{ev}/history?limit=99999999999", null, null, 400, "VALIDATION", "limit '99999999999'"),
        ["limit in exponent form"] = new("GET", "api/events/{ev}/history?limit=1e3", null, null, 400, "VALIDATION", "limit '1e3'"),

        // Routes and methods that do not exist, and requests too large to read.
        ["unknown route"] = new("GET", "api/nothing-here", null, null, 404, "NOT_FOUND", "GET /api/nothing-here"),
        ["unknown sub-route"] = new("POST", "api/events/{ev}/emit/now", "{}", Json, 404, "NOT_FOUND"),
        ["'..' in the route"] = new("DELETE", "api/events/%2E%2E", null, null, 404, "NOT_FOUND"),
        ["wrong method"] = new("PATCH", "api/events/{ev}", Valid, Json, 405, "METHOD_NOT_ALLOWED", "PATCH /api/events/"),
        ["wrong method on metrics"] = new("DELETE", "api/metrics", null, null, 405, "METHOD_NOT_ALLOWED", "GET"),
        ["request target too long"] = new("GET", "api/events/{ev}/history?pad=" + new string('p', 10_000), null, null, 414, "URI_TOO_LONG", "at most 8192"),
        ["headers too large"] = new("GET", "api/events/{ev}", null, null, 431, "HEADERS_TOO_LARGE", "at most 32768")
        {
            Headers = new Dictionary<string, string> { ["X-Filler"] = new string('h', 40_000) },
        },
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_bad_request_gets_its_status_and_problem_json_with_a_kind_and_changes_nothing(string name)
    {
        var bad = Cases[name];
        var ev = await web.SaveEventAsync("echo");
        var tr = WebSiloFixture.NewId("tr");
        using (var attached = await web.Http.PostAsync($"api/events/{ev}/triggers", WebSiloFixture.Json($$"""{"id":"{{tr}}","kind":"EXTERNAL"}""")))
            Assert.True(attached.IsSuccessStatusCode, await attached.Content.ReadAsStringAsync());
        var before = await StateAsync(ev);

        using var request = new HttpRequestMessage(new HttpMethod(bad.Method), Fill(bad.Path, ev, tr));
        if (bad.RawBody is not null || bad.Body is not null)
        {
            request.Content = new ByteArrayContent(bad.RawBody ?? Encoding.UTF8.GetBytes(Fill(bad.Body!, ev, tr)));
            if (bad.ContentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(bad.ContentType);
        }
        foreach (var (header, value) in bad.Headers) request.Headers.Add(header, value);
        using var response = await web.Http.SendAsync(request);

        await HttpApiTests.AssertProblemAsync(response, (System.Net.HttpStatusCode)bad.Status, bad.Kind, name);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        if (bad.DetailHas is not null) Assert.Contains(bad.DetailHas, detail);
        // Nothing of the code behind the API: type names, the serializer's wording, members JSON cannot set.
        foreach (var internals in (string[])["System.", "Orleans.", ".NET", "could not be mapped", "effectivePolicy"])
            Assert.DoesNotContain(internals, detail);
        Assert.Equal(before, await StateAsync(ev));
    }

    private static string Fill(string text, string ev, string tr) => text.Replace("{ev}", ev).Replace("{tr}", tr);

    // What a bad request could have changed: the events and triggers there are, and everything about {ev}.
    private async Task<string> StateAsync(string ev)
    {
        var http = web.Http;
        var events = (await http.GetFromJsonAsync<JsonElement>("api/events")).EnumerateArray().Select(e => e.GetProperty("id").GetString()).Order();
        var triggers = (await http.GetFromJsonAsync<JsonElement>("api/triggers")).EnumerateArray().Select(t => t.GetProperty("id").GetString()).Order();
        var status = await http.GetFromJsonAsync<JsonElement>($"api/events/{ev}/status");
        var enqueued = HttpApiTests.Counter(await http.GetFromJsonAsync<JsonElement>("api/metrics"), MetricNames.JobsEnqueued, ev);
        return string.Join("\n",
            "events: " + string.Join(",", events),
            "triggers: " + string.Join(",", triggers),
            "definition: " + await http.GetStringAsync($"api/events/{ev}"),
            "its triggers: " + await http.GetStringAsync($"api/events/{ev}/triggers"),
            "history: " + await http.GetStringAsync($"api/events/{ev}/history"),
            $"queued {status.GetProperty("queueDepth")}, running {status.GetProperty("running")}, enqueued {enqueued}");
    }
}
