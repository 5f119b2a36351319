using System.Net;
using System.Net.Sockets;

namespace Orleans.ConvoOrchestrator.Bench;

/// <summary>Ports for the silos and servers a benchmark starts, so runs never collide with a running silo.</summary>
internal static class FreePorts
{
    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
