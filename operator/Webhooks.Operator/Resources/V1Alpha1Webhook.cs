using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Webhooks.Operator.Resources;

/// <summary>The <c>auditlog.dev/v1alpha1 Webhook</c> resource; config/crds is the schema of record.</summary>
public sealed class V1Alpha1Webhook : IKubernetesObject<V1ObjectMeta>, ISpec<WebhookSpec>, IStatus<WebhookStatus?>
{
    public const string Group = "auditlog.dev";
    public const string Version = "v1alpha1";
    public const string Plural = "webhooks";
    public const string KindName = "Webhook";
    public const string ApiVersionName = Group + "/" + Version;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiVersionName;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public WebhookSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public WebhookStatus? Status { get; set; }
}

public sealed class V1Alpha1WebhookList : IKubernetesObject<V1ListMeta>, IItems<V1Alpha1Webhook>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = V1Alpha1Webhook.ApiVersionName;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "WebhookList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<V1Alpha1Webhook> Items { get; set; } = [];
}

public sealed class WebhookSpec
{
    [JsonPropertyName("displayName")]
    public string? DisplayName { get; set; }

    [JsonPropertyName("url")]
    public string? Url { get; set; }

    [JsonPropertyName("urlFrom")]
    public ValueSource? UrlFrom { get; set; }

    [JsonPropertyName("events")]
    public List<string> Events { get; set; } = [];

    [JsonPropertyName("headers")]
    public List<WebhookHeader>? Headers { get; set; }

    [JsonPropertyName("secureMode")]
    public SecureMode? SecureMode { get; set; }

    [JsonPropertyName("filter")]
    public WebhookFilter? Filter { get; set; }

    [JsonPropertyName("delivery")]
    public DeliveryPolicy? Delivery { get; set; }

    [JsonPropertyName("tls")]
    public TlsSettings? Tls { get; set; }

    [JsonPropertyName("suspend")]
    public bool? Suspend { get; set; }
}

public sealed class WebhookHeader
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("value")]
    public string? Value { get; set; }

    [JsonPropertyName("valueFrom")]
    public ValueSource? ValueFrom { get; set; }
}

public sealed class ValueSource
{
    [JsonPropertyName("secretKeyRef")]
    public SecretKeyReference? SecretKeyRef { get; set; }
}

public sealed class SecretKeyReference
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("key")]
    public string Key { get; set; } = string.Empty;
}

public sealed class SecureMode
{
    [JsonPropertyName("enabled")]
    public bool? Enabled { get; set; }

    [JsonPropertyName("signingSecretRef")]
    public SecretKeyReference? SigningSecretRef { get; set; }
}

public sealed class WebhookFilter
{
    [JsonPropertyName("categories")]
    public List<string>? Categories { get; set; }

    [JsonPropertyName("names")]
    public List<string>? Names { get; set; }

    [JsonPropertyName("organizations")]
    public List<string>? Organizations { get; set; }
}

public sealed class DeliveryPolicy
{
    [JsonPropertyName("timeoutSeconds")]
    public int? TimeoutSeconds { get; set; }

    [JsonPropertyName("maxAttempts")]
    public int? MaxAttempts { get; set; }

    [JsonPropertyName("retrySchedule")]
    public List<string>? RetrySchedule { get; set; }
}

public sealed class TlsSettings
{
    [JsonPropertyName("caSecretRef")]
    public SecretKeyReference? CaSecretRef { get; set; }

    [JsonPropertyName("clientCertSecretRef")]
    public SecretNameReference? ClientCertSecretRef { get; set; }
}

public sealed class SecretNameReference
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;
}

public sealed class WebhookStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    public List<V1Condition>? Conditions { get; set; }

    [JsonPropertyName("lastDelivery")]
    public LastDelivery? LastDelivery { get; set; }

    [JsonPropertyName("deliveries")]
    public DeliveryCounts? Deliveries { get; set; }

    [JsonPropertyName("signingSecretName")]
    public string? SigningSecretName { get; set; }

    [JsonPropertyName("routeRevision")]
    public long? RouteRevision { get; set; }

    [JsonPropertyName("url")]
    public string? Url { get; set; }
}

public sealed class LastDelivery
{
    [JsonPropertyName("eventId")]
    public string? EventId { get; set; }

    [JsonPropertyName("eventCategory")]
    public string? EventCategory { get; set; }

    [JsonPropertyName("time")]
    public DateTime? Time { get; set; }

    [JsonPropertyName("result")]
    public string? Result { get; set; }

    [JsonPropertyName("httpStatus")]
    public int? HttpStatus { get; set; }

    [JsonPropertyName("durationMs")]
    public long? DurationMs { get; set; }

    [JsonPropertyName("attempts")]
    public int? Attempts { get; set; }

    [JsonPropertyName("error")]
    public string? Error { get; set; }
}

public sealed class DeliveryCounts
{
    [JsonPropertyName("succeeded24h")]
    public long? Succeeded24h { get; set; }

    [JsonPropertyName("failed24h")]
    public long? Failed24h { get; set; }

    [JsonPropertyName("pending")]
    public long? Pending { get; set; }
}
