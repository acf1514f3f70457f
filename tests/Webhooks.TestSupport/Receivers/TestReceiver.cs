using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Webhooks.TestSupport.Receivers;

/// <summary>A request as it reached the receiver: headers in arrival order, body as raw bytes.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, DateTimeOffset ReceivedAt)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>What the receiver answers: status, headers, body, and an optional stall before answering.</summary>
public sealed record ReceiverResponse(int Status = 200, IReadOnlyDictionary<string, string>? Headers = null, string Body = "", TimeSpan Delay = default);

/// <summary>
/// A real HTTP endpoint on 127.0.0.1 (Kestrel, port 0) that records every request and answers as
/// the test scripts it: <c>respond(request, n)</c> gets the 1-based count of requests so far on
/// that path. Tests wait on its signal, never on a sleep.
/// </summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, int> _countByPath = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _waitersLock = new();
    private readonly List<(Func<IReadOnlyCollection<ReceivedRequest>, bool> Condition, TaskCompletionSource Done)> _waiters = [];

    private TestReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedRequest> Requests => _requests.ToArray();

    public Func<ReceivedRequest, int, ReceiverResponse> Respond { get; set; } = (_, _) => new ReceiverResponse();

    public Uri Url(string path = "/hook") => new(BaseAddress, path);

    public static async Task<TestReceiver> StartAsync(Func<ReceivedRequest, int, ReceiverResponse>? respond = null, string host = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(host.Contains(':') ? $"[{host}]" : host)}:0");
        var app = builder.Build();
        var receiver = new TestReceiver(app);
        if (respond is not null)
        {
            receiver.Respond = respond;
        }

        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address);
        return receiver;
    }

    /// <summary>Completes when <paramref name="condition"/> holds over the requests received, or fails after <paramref name="timeout"/>.</summary>
    public Task WaitUntilAsync(Func<IReadOnlyCollection<ReceivedRequest>, bool> condition, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock)
        {
            if (condition(Requests))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((condition, done));
        }

        return done.Task.WaitAsync(timeout);
    }

    public Task WaitForCountAsync(int count, TimeSpan timeout) => WaitUntilAsync(r => r.Count >= count, timeout);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? string.Empty))).ToList();
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray(), DateTimeOffset.UtcNow);
        var n = _countByPath.AddOrUpdate(request.Path, 1, (_, c) => c + 1);
        var response = Respond(request, n);
        if (response.Delay > TimeSpan.Zero)
        {
            try
            {
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, context.RequestAborted);
                await Task.Delay(response.Delay, stall.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        // Recorded when answered, so a waiter that sees the request also sees its response sent.
        _requests.Enqueue(request);
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(response.Body);
        await context.Response.CompleteAsync();
        NotifyWaiters();
    }

    private void NotifyWaiters()
    {
        lock (_waitersLock)
        {
            var snapshot = Requests;
            _waiters.RemoveAll(w =>
            {
                if (!w.Condition(snapshot))
                {
                    return false;
                }

                w.Done.TrySetResult();
                return true;
            });
        }
    }
}
