using System.ComponentModel.DataAnnotations;

namespace Webhooks.Dispatcher.Retention;

public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Days attempts, failed deliveries and delivered events are kept. Default 30.</summary>
    [Range(1, 3650)]
    public int Days { get; set; } = 30;

    /// <summary>How often the sweep runs. Default 1 hour.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
