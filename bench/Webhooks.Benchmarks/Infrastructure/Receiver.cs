using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Webhooks.Benchmarks.Infrastructure;

/// <summary>
/// A webhook endpoint on 127.0.0.1 that answers 200 at once. For deliveries (any path but
/// <see cref="RawPath"/>) it keeps the first receipt time of every event_id and counts repeats;
/// the raw-HTTP limit loop posts to <see cref="RawPath"/>, where the body is parsed the same way
/// but only counted.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    public const string RawPath = "/raw";
    private readonly WebApplication _app;
    private ConcurrentDictionary<string, long> _firstReceipt = new(StringComparer.Ordinal);
    private long _received;
    private long _duplicates;
    private long _raw;

    private Receiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Deliveries received since the last <see cref="Reset"/>, repeats included.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Deliveries of an event_id this receiver had already received (at-least-once repeats).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long RawReceived => Interlocked.Read(ref _raw);

    /// <summary>First receipt time (<see cref="Clock.Now"/>) per event_id.</summary>
    public IReadOnlyDictionary<string, long> FirstReceipt => _firstReceipt;

    public static async Task<Receiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync(cancellationToken);
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    public Uri Url(string path) => new(BaseAddress, path);

    public void Reset()
    {
        _firstReceipt = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        Interlocked.Exchange(ref _received, 0);
        Interlocked.Exchange(ref _duplicates, 0);
        Interlocked.Exchange(ref _raw, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = context.Request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await body.ReadAsync(context.RequestAborted);
            if (read.IsCompleted || read.IsCanceled)
            {
                break;
            }

            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        var eventId = EventId(read.Buffer);
        body.AdvanceTo(read.Buffer.End);
        var receivedAt = Clock.Now;
        if (context.Request.Path.Value == RawPath)
        {
            Interlocked.Increment(ref _raw);
        }
        else if (eventId is not null)
        {
            Interlocked.Increment(ref _received);
            if (!_firstReceipt.TryAdd(eventId, receivedAt))
            {
                Interlocked.Increment(ref _duplicates);
            }
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }

    /// <summary>The top-level <c>event_id</c> of a wire-format body, or null.</summary>
    private static string? EventId(ReadOnlySequence<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    if (reader.ValueTextEquals("event_id"u8))
                    {
                        reader.Read();
                        return reader.GetString();
                    }

                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }
}
