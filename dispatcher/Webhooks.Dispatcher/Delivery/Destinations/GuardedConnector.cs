using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;

namespace Webhooks.Dispatcher.Delivery.Destinations;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of every delivery handler: resolves the
/// host once, checks every address against the <see cref="DestinationPolicy"/>, and dials only
/// addresses it allowed, the very ones it checked. Because the handler never resolves the name
/// itself, there is no second lookup for a rebinding DNS server to answer differently.
/// </summary>
public sealed class GuardedConnector(DestinationPolicy policy, IHostResolver resolver, IDestinationDialer dialer)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await ResolveAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        var verdicts = addresses.Select(policy.Evaluate).ToList();
        var allowed = verdicts.Where(v => v.Allowed).Select(v => v.Address).Distinct().ToList();
        if (allowed.Count == 0)
        {
            throw new BlockedDestinationException(host, verdicts);
        }

        // Like the default connect: try each allowed address in turn, report the first failure.
        ExceptionDispatchInfo? firstFailure = null;
        foreach (var address in allowed)
        {
            try
            {
                return await dialer.DialAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                firstFailure ??= ExceptionDispatchInfo.Capture(exception);
            }
        }

        firstFailure!.Throw();
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>
    /// A literal address is used as is (the Uri already turned decimal, hex and octal IPv4 forms
    /// into dotted quads; IPv6 arrives in brackets); a name goes to the resolver.
    /// </summary>
    private async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(literal, out var address) ? [address] : await resolver.ResolveAsync(host, cancellationToken);
    }
}
