using System.Net;
using System.Net.Sockets;

namespace CitizenHub.TestKit;

public static class FreePort
{
    /// <summary>A loopback port nothing is listening on now.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
