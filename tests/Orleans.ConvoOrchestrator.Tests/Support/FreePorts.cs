using System.Net;
using System.Net.Sockets;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>Ports for servers the tests start: several test runs may share this machine, so never a fixed one.</summary>
public static class FreePorts
{
    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
