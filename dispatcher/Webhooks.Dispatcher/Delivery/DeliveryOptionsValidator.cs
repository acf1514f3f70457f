using Microsoft.Extensions.Options;
using Webhooks.Dispatcher.Delivery.Destinations;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>Checks each allow-list entry at start, naming the one that is wrong.</summary>
internal sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        var failures = new List<string>();
        if (options.LeaseMargin < TimeSpan.FromMilliseconds(500))
        {
            failures.Add("Delivery:LeaseMargin must be at least 500 ms");
        }

        foreach (var entry in options.AllowedCidrs)
        {
            if (!DestinationPolicy.TryParseCidr(entry, out _, out var error))
            {
                failures.Add($"Delivery:AllowedCidrs: {error}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
