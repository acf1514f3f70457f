using System.ComponentModel.DataAnnotations;

namespace Webhooks.Dispatcher.Delivery;

public sealed class DeliveryOptions
{
    public const string SectionName = "Delivery";

    /// <summary>
    /// Deliveries in hand at once in this process, sending or waiting for their endpoint's slot.
    /// Each webhook may hold <see cref="PerEndpointConcurrency"/> + <see cref="PerEndpointBacklog"/>,
    /// so eight hanging endpoints are needed to take every slot. Default 256.
    /// </summary>
    [Range(1, 10_000)]
    public int Concurrency { get; set; } = 256;

    /// <summary>Requests in flight at once to one webhook, so a slow endpoint cannot take every slot. Default 8.</summary>
    [Range(1, 1_000)]
    public int PerEndpointConcurrency { get; set; } = 8;

    /// <summary>
    /// Deliveries claimed for one webhook beyond those it is sending, waiting for a slot: they keep
    /// its connections busy between claims, so a burst to one webhook drains in a few claims. A
    /// delivery's lease grows by one timeout for every <see cref="PerEndpointConcurrency"/>
    /// waiting ahead of it. Never more than leaves room for eight webhooks' senders and backlogs
    /// in <see cref="Concurrency"/> (<see cref="EffectiveBacklog"/>). Default 24.
    /// </summary>
    [Range(0, 10_000)]
    public int PerEndpointBacklog { get; set; } = 24;

    /// <summary>
    /// <see cref="PerEndpointBacklog"/>, cut so that eight hanging webhooks are still needed to
    /// take every slot: what one webhook holds at most, sending and waiting, is an eighth of
    /// <see cref="Concurrency"/> (or just its senders, when that is less).
    /// </summary>
    public int EffectiveBacklog => Math.Clamp((Concurrency / 8) - PerEndpointConcurrency, 0, PerEndpointBacklog);

    /// <summary>Most deliveries claimed in one query. Default 200.</summary>
    [Range(1, 5_000)]
    public int ClaimBatchSize { get; set; } = 200;

    /// <summary>
    /// A claimed delivery stays invisible to other workers for twice its route's timeout (one for
    /// waiting on an endpoint slot, one for the request) plus this margin; after that it counts
    /// as abandoned by a dead worker and is claimed again. Default 30 s.
    /// </summary>
    public TimeSpan LeaseMargin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often to look for due work when no notification arrives (jittered ±20%). Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Shortest time from one claim to the next, however many slots free up meanwhile: while busy,
    /// finished sends gather into one claim (one commit) instead of one claim each. Default 5 ms.
    /// </summary>
    public TimeSpan ClaimCooldown { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Longest wait a <c>Retry-After</c> answer can impose. Default 1 hour.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The User-Agent sent unless a route sets its own. Default <c>Kondukto-Webhook/1.0</c> (the seed's).</summary>
    [Required]
    public string UserAgent { get; set; } = "Kondukto-Webhook/1.0";

    /// <summary>Response bodies are recorded up to this many bytes. Default 20 KiB.</summary>
    [Range(0, 1 << 20)]
    public int MaxResponseBodyBytes { get; set; } = 20 * 1024;

    /// <summary>Most attempt results written in one transaction. Default 500.</summary>
    [Range(1, 10_000)]
    public int ResultBatchSize { get; set; } = 500;

    /// <summary>
    /// Shortest time from one result write to the next: while busy, results gather into one
    /// transaction (one commit) instead of one each. A result waits at most this long beyond the
    /// write in progress; its request has already reached the receiver. Default 10 ms.
    /// </summary>
    public TimeSpan ResultCooldown { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Most audit records fanned out in one transaction. Default 500.</summary>
    [Range(1, 10_000)]
    public int FanOutBatchSize { get; set; } = 500;

    /// <summary>
    /// CIDRs webhooks may reach although they are loopback, private, link-local, CGNAT or
    /// otherwise internal (<c>10.0.0.0/8</c>, <c>fd00::/8</c>; a bare address means that host).
    /// Default none: every webhook must point at a public address. From the environment either
    /// <c>Delivery__AllowedCidrs__0=10.0.0.0/8</c> or one comma-separated
    /// <c>Delivery__AllowedCidrs=10.0.0.0/8,fd00::/8</c>.
    /// </summary>
    public List<string> AllowedCidrs { get; set; } = [];

    /// <summary>Full reload of the routing table even without a notification. Default 30 s.</summary>
    public TimeSpan RouteSafetyReloadInterval { get; set; } = TimeSpan.FromSeconds(30);
}
