using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Webhooks.TestSupport.Tls;

/// <summary>A certificate and its private key as PEM, the form routes carry them in.</summary>
public sealed record PemCertificate(string CertificatePem, string KeyPem);

/// <summary>
/// A throwaway CA made in the test (<see cref="CertificateRequest"/>, ECDSA P-256), issuing
/// server certificates for the HTTPS test receivers and client certificates for mutual TLS.
/// Nothing is installed in any system store.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private TestCertificateAuthority(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM: what a route's CA bundle holds.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    public static TestCertificateAuthority Create(string name = "Webhooks Test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return new TestCertificateAuthority(request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)));
    }

    /// <summary>A server certificate for the given IP addresses and DNS names, loaded ready for Kestrel.</summary>
    public X509Certificate2 IssueServer(IEnumerable<IPAddress> addresses, IEnumerable<string>? dnsNames = null)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        foreach (var dnsName in dnsNames ?? [])
        {
            names.AddDnsName(dnsName);
        }

        return Issue("CN=webhooks test receiver", ServerAuthentication, names.Build());
    }

    /// <summary>A client certificate for mutual TLS, as the PEM pair a kubernetes.io/tls Secret holds.</summary>
    public PemCertificate IssueClient(string commonName)
    {
        using var certificate = Issue($"CN={commonName}", ClientAuthentication, null);
        using var key = certificate.GetECDsaPrivateKey()!;
        return new PemCertificate(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Whether <paramref name="certificate"/> chains to this CA alone (no system roots).</summary>
    public bool Issued(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose() => Certificate.Dispose();

    private X509Certificate2 Issue(string subject, Oid usage, X509Extension? subjectAlternativeNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (subjectAlternativeNames is not null)
        {
            request.CertificateExtensions.Add(subjectAlternativeNames);
        }

        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(Certificate, now.AddMinutes(-5), now.AddHours(12), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        // A PKCS#12 round trip gives a persisted-key certificate, which every platform's TLS stack accepts.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
    }
}
