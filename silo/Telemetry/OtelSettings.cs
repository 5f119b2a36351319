namespace Orleans.ConvoOrchestrator.Silo.Telemetry;

/// <summary>
/// OTLP export (section "Convo:Otel", flag --otel-endpoint). Unset: no OTLP export, unless the standard
/// OTEL_EXPORTER_OTLP_ENDPOINT variable is set (then every standard OTEL_* variable applies).
/// </summary>
public sealed class OtelSettings
{
    /// <summary>The collector's address, e.g. <c>http://127.0.0.1:4317</c> (gRPC) or <c>http://127.0.0.1:4318</c> (HTTP).</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string Protocol { get; set; } = "grpc";

    /// <summary>The service name resources carry.</summary>
    public string ServiceName { get; set; } = "convo-silo";

    /// <summary>The problems with these settings, empty when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (Endpoint is { Length: > 0 } e && !(Uri.TryCreate(e, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            yield return $"OTLP endpoint '{e}' is not an http(s) URL";
        if (Protocol is not ("grpc" or "http/protobuf")) yield return $"OTLP protocol '{Protocol}' is not grpc or http/protobuf";
        if (string.IsNullOrWhiteSpace(ServiceName)) yield return "OTLP service name must not be empty";
    }
}
