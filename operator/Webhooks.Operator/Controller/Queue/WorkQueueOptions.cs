using System.ComponentModel.DataAnnotations;

namespace Webhooks.Operator.Controller.Queue;

/// <summary>The per-key retry backoff of a <see cref="WorkQueue"/>; the defaults are controller-runtime's.</summary>
public sealed class WorkQueueOptions : IValidatableObject
{
    /// <summary>Default <see cref="BaseDelay"/>: 5 ms.</summary>
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromMilliseconds(5);

    /// <summary>Default <see cref="MaxDelay"/>: 1000 s.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(1000);

    /// <summary>The delay before the first retry of a failing key; it doubles per consecutive failure. Default 5 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan BaseDelay { get; set; } = DefaultBaseDelay;

    /// <summary>The longest delay between retries of a failing key. Default 1000 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxDelay { get; set; } = DefaultMaxDelay;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseDelay > MaxDelay)
        {
            yield return new ValidationResult("BaseDelay must not exceed MaxDelay.", [nameof(BaseDelay), nameof(MaxDelay)]);
        }
    }
}
