using Microsoft.AspNetCore.Builder;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Telemetry;

namespace Orleans.ConvoOrchestrator.Silo.Telemetry;

/// <summary>OpenTelemetry for the silo: the orchestrator's and Orleans' meters and activity sources, Prometheus and OTLP.</summary>
public static class TelemetryExtensions
{
    /// <summary>Orleans' meter.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Orleans' activity sources (one per area).</summary>
    public const string OrleansSources = "Microsoft.Orleans.*";

    /// <summary>
    /// Metrics always (scraped at /metrics); traces and OTLP export only when an endpoint is configured, so a
    /// silo with nothing to send spans to does not pay for them.
    /// </summary>
    public static WebApplicationBuilder AddConvoTelemetry(this WebApplicationBuilder builder, OtelSettings settings)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(settings.ServiceName, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithMetrics(m => m.AddMeter(ConvoTelemetry.MeterName, OrleansMeter).AddPrometheusExporter());

        var standardEndpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (!string.IsNullOrWhiteSpace(settings.Endpoint))
        {
            otel.WithTracing(t => t.AddSource(ConvoTelemetry.ActivitySourceName, OrleansSources));
            var protocol = settings.Protocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            otel.UseOtlpExporter(protocol, new Uri(settings.Endpoint));
        }
        else if (!string.IsNullOrWhiteSpace(standardEndpoint))
        {
            otel.WithTracing(t => t.AddSource(ConvoTelemetry.ActivitySourceName, OrleansSources));
            otel.UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>True when OTLP export is switched on.</summary>
    public static bool OtlpEnabled(this WebApplicationBuilder builder, OtelSettings settings) =>
        !string.IsNullOrWhiteSpace(settings.Endpoint) || !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
}
