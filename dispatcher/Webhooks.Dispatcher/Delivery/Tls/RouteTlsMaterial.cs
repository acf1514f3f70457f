using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher.Delivery.Tls;

/// <summary>
/// A route's own TLS settings, loaded from PEM: CA certificates to trust in addition to the system
/// roots, and a client certificate (with its chain) for mutual TLS. Owned by the handler built
/// for the route and disposed with it.
/// </summary>
public sealed class RouteTlsMaterial : IDisposable
{
    private RouteTlsMaterial(X509Certificate2Collection trustedCas, SslStreamCertificateContext? clientCertificate, X509Certificate2Collection owned)
    {
        TrustedCas = trustedCas;
        ClientCertificate = clientCertificate;
        _owned = owned;
    }

    private readonly X509Certificate2Collection _owned;

    /// <summary>Empty when the route names no CA: then only the system roots are trusted.</summary>
    public X509Certificate2Collection TrustedCas { get; }

    public SslStreamCertificateContext? ClientCertificate { get; }

    /// <summary>Whether the route needs a handler of its own; routes without these share one pooled handler.</summary>
    public static bool IsCustom(RouteDefinition route) =>
        !string.IsNullOrWhiteSpace(route.CaCertificatesPem) || !string.IsNullOrWhiteSpace(route.ClientCertificatePem) || !string.IsNullOrWhiteSpace(route.ClientKeyPem);

    /// <summary>Identifies the TLS material, so a cached handler is replaced exactly when it changes.</summary>
    public static byte[] Fingerprint(RouteDefinition route) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{route.CaCertificatesPem}\0{route.ClientCertificatePem}\0{route.ClientKeyPem}"));

    public static RouteTlsMaterial Load(RouteDefinition route)
    {
        var owned = new X509Certificate2Collection();
        try
        {
            var trustedCas = LoadCas(route.CaCertificatesPem);
            owned.AddRange(trustedCas);
            var client = LoadClientCertificate(route.ClientCertificatePem, route.ClientKeyPem, owned);
            return new RouteTlsMaterial(trustedCas, client, owned);
        }
        catch
        {
            Dispose(owned);
            throw;
        }
    }

    public void Dispose() => Dispose(_owned);

    private static X509Certificate2Collection LoadCas(string? pem)
    {
        var cas = new X509Certificate2Collection();
        if (string.IsNullOrWhiteSpace(pem))
        {
            return cas;
        }

        try
        {
            cas.ImportFromPem(pem);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            throw new TlsMaterialException($"the route's CA bundle is not valid PEM: {exception.Message}", exception);
        }

        return cas.Count > 0 ? cas : throw new TlsMaterialException("the route's CA bundle holds no PEM certificate");
    }

    private static SslStreamCertificateContext? LoadClientCertificate(string? certificatePem, string? keyPem, X509Certificate2Collection owned)
    {
        var hasCertificate = !string.IsNullOrWhiteSpace(certificatePem);
        var hasKey = !string.IsNullOrWhiteSpace(keyPem);
        if (!hasCertificate && !hasKey)
        {
            return null;
        }

        if (hasCertificate != hasKey)
        {
            throw new TlsMaterialException("mutual TLS needs both the client certificate and its private key; the route has only one");
        }

        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        try
        {
            // CreateFromPem pairs the first certificate with the key; the rest are intermediates to send along.
            leaf = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            owned.Add(leaf);
            chain.ImportFromPem(certificatePem);
            owned.AddRange(chain);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            // The library's message names the problem (malformed, encrypted key, key not matching), not the key.
            throw new TlsMaterialException($"the route's client certificate or key cannot be used: {exception.Message}", exception);
        }

        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in chain)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(certificate);
            }
        }

        // Offline: the chain is what the Secret holds; nothing is fetched over the network.
        return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    private static void Dispose(X509Certificate2Collection certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }
}
