using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Webhooks.Dispatcher.Delivery.Destinations;
using Webhooks.Dispatcher.Delivery.Tls;

namespace Webhooks.Dispatcher.Delivery.Transport;

/// <summary>
/// Builds the handlers webhooks are sent through: the shared one and one per route with its own
/// TLS settings. Every handler connects only through the <see cref="GuardedConnector"/>, never
/// follows redirects (a 3xx is a failed attempt), keeps no cookies and does not decompress;
/// connections are recycled so DNS changes are seen. No proxy from HTTP_PROXY and the like: the
/// connector would then check the proxy's address, not the webhook's, and the proxy could reach
/// anything.
/// </summary>
internal static class DeliveryHandlerFactory
{
    /// <summary>TLS 1.2 and 1.3 only: older versions are broken, and receivers that need them are not worth the risk.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    public static SocketsHttpHandler Create(DeliveryOptions options, GuardedConnector connector, TimeProvider timeProvider, RouteTlsMaterial? tls = null)
    {
        var ssl = new SslClientAuthenticationOptions { EnabledSslProtocols = Protocols };
        if (tls is not null)
        {
            if (tls.TrustedCas.Count > 0)
            {
                var trusted = tls.TrustedCas;
                ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    CustomCaValidation.Validate(trusted, timeProvider.GetUtcNow(), certificate, chain, errors);
            }

            ssl.ClientCertificateContext = tls.ClientCertificate;
        }

        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = options.PerEndpointConcurrency,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = connector.ConnectAsync,
            SslOptions = ssl,
        };
    }
}
