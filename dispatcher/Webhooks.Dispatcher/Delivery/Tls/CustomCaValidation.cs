using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Webhooks.Dispatcher.Delivery.Tls;

/// <summary>
/// Server certificate validation for a route with its own CA bundle. The bundle is trusted in
/// addition to the system roots, as Flux's notification-controller does: a certificate the
/// system already accepts is accepted, and one that fails only for its chain is accepted when it
/// chains to a bundled CA. A wrong host name or a missing certificate is never accepted.
/// </summary>
public static class CustomCaValidation
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    public static bool Validate(
        X509Certificate2Collection trustedCas, DateTimeOffset now, X509Certificate? certificate, X509Chain? systemChain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null || trustedCas.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(trustedCas);
        // As the system check does for servers: no revocation lookups (private CAs seldom publish
        // reachable CRLs), but the certificate must be meant for server authentication.
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.ApplicationPolicy.Add(ServerAuthentication);
        policy.VerificationTime = now.UtcDateTime;
        if (systemChain is not null)
        {
            // Intermediates the server sent, which the system chain already collected.
            policy.ExtraStore.AddRange(systemChain.ChainPolicy.ExtraStore);
            foreach (var element in systemChain.ChainElements)
            {
                policy.ExtraStore.Add(element.Certificate);
            }
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        try
        {
            return chain.Build(leaf);
        }
        finally
        {
            if (!ReferenceEquals(leaf, certificate))
            {
                leaf.Dispose();
            }
        }
    }
}
