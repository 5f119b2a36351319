namespace Orleans.ConvoOrchestrator.Silo;

/// <summary>The stock silo's settings (section "Convo" of appsettings.json, CONVO__* environment variables, or flags).</summary>
public sealed class SiloSettings
{
    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Cluster id (silos and clients must agree).</summary>
    public string ClusterId { get; set; } = "convo";

    /// <summary>Service id (silos and clients must agree).</summary>
    public string ServiceId { get; set; } = "convo";
}
