using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;
using Webhooks.Operator.Resources;
using Webhooks.Storage.Routes;

namespace Webhooks.Operator.Reconciliation;

/// <summary>Why a Webhook cannot become a route: a condition reason and a message for on-call.</summary>
public sealed record ResolutionProblem(string Reason, string Message);

/// <summary>
/// Turns a Webhook and the Secrets it names into a <see cref="RouteDefinition"/>, checking what the
/// schema cannot: that each referenced Secret and key exists, that secret values are usable in
/// HTTP (no line breaks), and that the URL parses. Messages name Secrets and keys, never values.
/// </summary>
public static partial class RouteResolver
{
    public const string SigningSecretKey = "secret";

    /// <param name="allowedOrganizations">The organizations this namespace may receive; null when unrestricted.</param>
    public static (RouteDefinition? Route, ResolutionProblem? Problem) Resolve(
        V1Alpha1Webhook webhook, Func<string, V1Secret?> secrets, string? generatedSigningSecret, IReadOnlyList<string>? allowedOrganizations = null)
    {
        var spec = webhook.Spec;
        var ns = webhook.Metadata.NamespaceProperty;
        var problems = new List<ResolutionProblem>();
        if (allowedOrganizations is not null)
        {
            var requested = spec.Filter?.Organizations ?? [];
            var allowed = string.Join(", ", allowedOrganizations);
            if (requested.Count == 0)
            {
                return (null, new(Conditions.Reasons.OrganizationNotAllowed,
                    $"namespace {ns} may receive audit records of organizations [{allowed}] only; set spec.filter.organizations to a subset of them"));
            }

            if (requested.FirstOrDefault(o => !allowedOrganizations.Contains(o)) is { } refused)
            {
                return (null, new(Conditions.Reasons.OrganizationNotAllowed,
                    $"spec.filter.organizations: organization {refused} is not allowed in namespace {ns} (allowed: [{allowed}]); ask a cluster admin or remove it"));
            }
        }

        string? ReadSecret(string field, SecretKeyReference reference, bool trim, bool multiline = false)
        {
            var secret = secrets(reference.Name);
            if (secret is null)
            {
                problems.Add(new(Conditions.Reasons.SecretNotFound, $"{field}: Secret {ns}/{reference.Name} not found; create it in namespace {ns}"));
                return null;
            }

            if (secret.Data?.TryGetValue(reference.Key, out var bytes) != true || bytes is null)
            {
                problems.Add(new(Conditions.Reasons.SecretKeyNotFound, $"{field}: Secret {ns}/{reference.Name} has no key \"{reference.Key}\" (keys: {string.Join(", ", secret.Data?.Keys.Order() ?? Enumerable.Empty<string>())})"));
                return null;
            }

            // A file-created Secret usually ends in a newline; headers cannot carry one.
            var value = Encoding.UTF8.GetString(bytes);
            if (multiline)
            {
                return value;
            }

            value = trim ? value.Trim() : value.TrimEnd('\r', '\n');
            if (value.Contains('\r') || value.Contains('\n') || value.Contains('\0'))
            {
                problems.Add(new(Conditions.Reasons.InvalidSpec, $"{field}: Secret {ns}/{reference.Name} key \"{reference.Key}\" contains a line break, which HTTP headers and URLs cannot carry"));
                return null;
            }

            return value;
        }

        var url = spec.Url ?? (spec.UrlFrom?.SecretKeyRef is { } urlRef ? ReadSecret("spec.urlFrom", urlRef, trim: true) : null);
        var headers = new List<RouteHeader>();
        foreach (var (header, index) in (spec.Headers ?? []).Select((h, i) => (h, i)))
        {
            if (header.Value is not null)
            {
                headers.Add(new RouteHeader(header.Name, header.Value));
            }
            else if (header.ValueFrom?.SecretKeyRef is { } reference && ReadSecret($"spec.headers[{index}] ({header.Name})", reference, trim: false) is { } value)
            {
                headers.Add(new RouteHeader(header.Name, value, FromSecret: true));
            }
        }

        var secure = spec.SecureMode?.Enabled ?? true;
        var signingKeys = new List<string>();
        if (secure)
        {
            var signing = spec.SecureMode?.SigningSecretRef is { } signingRef ? ReadSecret("spec.secureMode.signingSecretRef", signingRef, trim: true) : generatedSigningSecret;
            if (signing is not null)
            {
                if (!SigningSecretPattern().IsMatch(signing))
                {
                    problems.Add(new(Conditions.Reasons.InvalidSpec, "spec.secureMode.signingSecretRef: the signing secret must have the form whsec_<base64 of 24 to 64 bytes>"));
                }

                signingKeys.Add(signing);
            }
        }

        var ca = spec.Tls?.CaSecretRef is { } caRef
            ? ReadSecret("spec.tls.caSecretRef", new SecretKeyReference { Name = caRef.Name, Key = string.IsNullOrEmpty(caRef.Key) ? "ca.crt" : caRef.Key }, trim: false, multiline: true)
            : null;
        var (clientCertificate, clientKey) = spec.Tls?.ClientCertSecretRef is { } clientRef
            ? (ReadSecret("spec.tls.clientCertSecretRef", new SecretKeyReference { Name = clientRef.Name, Key = "tls.crt" }, trim: false, multiline: true),
               ReadSecret("spec.tls.clientCertSecretRef", new SecretKeyReference { Name = clientRef.Name, Key = "tls.key" }, trim: false, multiline: true))
            : (null, null);

        if (problems.Count > 0)
        {
            return (null, problems[0]);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            return (null, new(Conditions.Reasons.InvalidSpec, spec.UrlFrom is null
                ? $"spec.url \"{url}\" is not an absolute http(s) URL"
                : "spec.urlFrom: the Secret's value is not an absolute http(s) URL"));
        }

        if (secure && uri.Scheme != "https")
        {
            return (null, new(Conditions.Reasons.InvalidSpec, "the URL must use https while spec.secureMode.enabled is true (the default); set secureMode.enabled: false to allow http"));
        }

        var delivery = spec.Delivery;
        var route = new RouteDefinition
        {
            Uid = Guid.Parse(webhook.Metadata.Uid),
            Namespace = ns,
            Name = webhook.Metadata.Name,
            Generation = webhook.Metadata.Generation ?? 1,
            DisplayName = spec.DisplayName ?? string.Empty,
            Url = url!,
            UrlFromSecret = spec.UrlFrom is not null,
            Headers = headers,
            Events = spec.Events,
            FilterCategories = spec.Filter?.Categories ?? [],
            FilterNames = spec.Filter?.Names ?? [],
            FilterOrganizations = spec.Filter?.Organizations ?? [],
            Secure = secure,
            SigningKeys = signingKeys,
            Timeout = TimeSpan.FromSeconds(delivery?.TimeoutSeconds ?? (int)RouteDefaults.Timeout.TotalSeconds),
            MaxAttempts = delivery?.MaxAttempts ?? RouteDefaults.MaxAttempts,
            RetrySchedule = delivery?.RetrySchedule is { Count: > 0 } schedule ? schedule.Select(ParseDuration).ToList() : null,
            Suspended = spec.Suspend ?? false,
            CaCertificatesPem = ca,
            ClientCertificatePem = clientCertificate,
            ClientKeyPem = clientKey,
        };
        return (route, null);
    }

    /// <summary>Names of the Secrets a Webhook reads, so a change to one requeues it.</summary>
    public static IEnumerable<string> ReferencedSecrets(V1Alpha1Webhook webhook)
    {
        var spec = webhook.Spec;
        if (spec.UrlFrom?.SecretKeyRef is { } url)
        {
            yield return url.Name;
        }

        foreach (var header in spec.Headers ?? [])
        {
            if (header.ValueFrom?.SecretKeyRef is { } reference)
            {
                yield return reference.Name;
            }
        }

        if (spec.SecureMode?.SigningSecretRef is { } signing)
        {
            yield return signing.Name;
        }
        else if (webhook.Status?.SigningSecretName is { } generated)
        {
            yield return generated;
        }

        if (spec.Tls?.CaSecretRef is { } ca)
        {
            yield return ca.Name;
        }

        if (spec.Tls?.ClientCertSecretRef is { } client)
        {
            yield return client.Name;
        }
    }

    /// <summary>"1h30m", "500ms", "5s": the CRD's pattern, already validated by the API server.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var total = TimeSpan.Zero;
        foreach (Match part in DurationPart().Matches(text))
        {
            var value = long.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                _ => TimeSpan.FromHours(value),
            };
        }

        return total;
    }

    [GeneratedRegex("([0-9]+)(ms|s|m|h)")]
    private static partial Regex DurationPart();

    [GeneratedRegex("^whsec_[A-Za-z0-9+/]{32,88}={0,2}$")]
    private static partial Regex SigningSecretPattern();
}
