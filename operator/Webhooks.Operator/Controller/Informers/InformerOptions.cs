namespace Webhooks.Operator.Controller.Informers;

/// <summary>Scope and retry timings of an <see cref="Informer{T}"/>; the defaults are client-go's reflector's.</summary>
public sealed class InformerOptions
{
    /// <summary>Default <see cref="PageSize"/>: 500.</summary>
    public const int DefaultPageSize = 500;

    /// <summary>Default <see cref="MinWatchTimeout"/>: 5 minutes.</summary>
    public static readonly TimeSpan DefaultMinWatchTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Default <see cref="BackoffBase"/>: 800 ms.</summary>
    public static readonly TimeSpan DefaultBackoffBase = TimeSpan.FromMilliseconds(800);

    /// <summary>Default <see cref="BackoffMax"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultBackoffMax = TimeSpan.FromSeconds(30);

    /// <summary>Namespaces to list and watch, one list/watch each; empty means every namespace with one cluster-wide list/watch.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>Objects per list page. Default 500.</summary>
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>
    /// Each watch asks the server to end it after between this and twice this, so long-lived
    /// connections are recycled (and spread out) even through proxies that never close them. It
    /// also bounds a watch that KubernetesClient failed to close when it was cancelled (it can drop
    /// the response without disposing it if cancellation races its arrival). Default 5 minutes.
    /// </summary>
    public TimeSpan MinWatchTimeout { get; init; } = DefaultMinWatchTimeout;

    /// <summary>The first, jittered, delay before retrying a failed list or watch; it doubles per consecutive failure. Default 800 ms.</summary>
    public TimeSpan BackoffBase { get; init; } = DefaultBackoffBase;

    /// <summary>The longest delay between retries of a failing list or watch. Default 30 s.</summary>
    public TimeSpan BackoffMax { get; init; } = DefaultBackoffMax;
}
