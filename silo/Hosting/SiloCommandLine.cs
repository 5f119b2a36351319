namespace Orleans.ConvoOrchestrator.Silo.Hosting;

/// <summary>The stock silo's flags and the configuration keys they set (anything else goes as --Section:Key=value).</summary>
public static class SiloCommandLine
{
    /// <summary>Flag to configuration key.</summary>
    public static IDictionary<string, string> Switches { get; } = new Dictionary<string, string>
    {
        ["--store"] = "Convo:Store",
        ["--redis"] = "Convo:Redis",
        ["--silo-port"] = "Convo:SiloPort",
        ["--gateway-port"] = "Convo:GatewayPort",
        ["--cluster-id"] = "Convo:ClusterId",
        ["--service-id"] = "Convo:ServiceId",
        ["--advertised-address"] = "Convo:AdvertisedAddress",
        ["--http"] = "Convo:Http:Urls",
        ["--api-key"] = "Convo:Http:ApiKey",
        ["--admin-api-keys"] = "Convo:Http:AdminApiKeys",
        ["--read-only-api-keys"] = "Convo:Http:ReadOnlyApiKeys",
        ["--otel-endpoint"] = "Convo:Otel:Endpoint",
        ["--postgres"] = "Convo:Postgres:ConnectionString",
    };
}
