using k8s;
using k8s.Models;
using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Controller.Informers;

/// <summary>The list/watch sources of the kinds the operator watches.</summary>
public static class ListWatch
{
    public static IListWatch<V1Alpha1Webhook> ForWebhooks(IKubernetes client) =>
        new CustomResourceListWatch<V1Alpha1Webhook, V1Alpha1WebhookList>(client, V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, V1Alpha1Webhook.Plural);

    public static IListWatch<V1Secret> ForSecrets(IKubernetes client) => new SecretListWatch(client);
}
