using System.Net.Http;
using System.Net.Sockets;

namespace Webhooks.EndToEnd.Tests.Support;

/// <summary>
/// A test that needs a Docker engine (K3s in a container). Where none answers, the test is
/// skipped with a one-line reason instead of failing or hanging.
/// </summary>
public sealed class DockerFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public DockerFactAttribute()
    {
        if (Unavailable.Value is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>Null when the engine answers <c>/_ping</c>; otherwise why not.</summary>
    private static string? Probe()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock";
        if (!host.StartsWith("unix://", StringComparison.Ordinal))
        {
            return Ping(new HttpClient { Timeout = TimeSpan.FromSeconds(3) }, new Uri(host.Replace("tcp://", "http://", StringComparison.Ordinal)), host);
        }

        var socket = host["unix://".Length..];
        if (!File.Exists(socket))
        {
            return $"No Docker engine: {socket} does not exist; K3s end-to-end tests need one";
        }

        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await connection.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
                return new NetworkStream(connection, ownsSocket: true);
            },
        };
        return Ping(new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(3) }, new Uri("http://docker/"), host);
    }

    private static string? Ping(HttpClient client, Uri baseAddress, string host)
    {
        using (client)
        {
            try
            {
                return client.GetAsync(new Uri(baseAddress, "_ping")).GetAwaiter().GetResult().IsSuccessStatusCode
                    ? null
                    : $"Docker engine at {host} did not answer /_ping with 2xx; K3s end-to-end tests skipped";
            }
            catch (Exception exception) when (exception is HttpRequestException or SocketException or TaskCanceledException)
            {
                return $"No Docker engine reachable at {host} ({exception.GetBaseException().Message}); K3s end-to-end tests skipped";
            }
        }
    }
}
