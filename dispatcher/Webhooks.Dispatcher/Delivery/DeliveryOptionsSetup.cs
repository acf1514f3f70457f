using Microsoft.Extensions.Options;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// Reads what plain binding cannot: a comma-separated <c>Delivery:AllowedCidrs</c> given as one
/// value (the binder ignores a scalar where it expects a list, which would silently allow nothing).
/// </summary>
internal sealed class DeliveryOptionsSetup(IConfiguration configuration) : IPostConfigureOptions<DeliveryOptions>
{
    public void PostConfigure(string? name, DeliveryOptions options)
    {
        var scalar = configuration[$"{DeliveryOptions.SectionName}:{nameof(DeliveryOptions.AllowedCidrs)}"];
        var entries = options.AllowedCidrs.Append(scalar ?? string.Empty)
            .SelectMany(e => e.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        options.AllowedCidrs = [.. entries];
    }
}
