using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Webhooks.TestSupport.Receivers;

/// <summary>A request as it reached the receiver: headers in arrival order, body as raw bytes.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, DateTimeOffset ReceivedAt)
{
    /// <summary>Over HTTPS with mutual TLS: the subject of the certificate the client presented.</summary>
    public string? ClientCertificateSubject { get; init; }

    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// HTTPS for a receiver: the server certificate, and optionally a CA that client certificates
/// must chain to (mutual TLS: a client without one is refused during the handshake).
/// </summary>
public sealed record ReceiverTls(X509Certificate2 ServerCertificate, X509Certificate2? RequireClientCertificateFrom = null);

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

    public static async Task<TestReceiver> StartAsync(Func<ReceivedRequest, int, ReceiverResponse>? respond = null, string host = "127.0.0.1", ReceiverTls? tls = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (tls is null)
        {
            builder.WebHost.UseUrls($"http://{(host.Contains(':') ? $"[{host}]" : host)}:0");
        }
        else
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(host), 0, listen => listen.UseHttps(https => ConfigureHttps(https, tls))));
        }

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

    private static void ConfigureHttps(HttpsConnectionAdapterOptions https, ReceiverTls tls)
    {
        https.ServerCertificate = tls.ServerCertificate;
        if (tls.RequireClientCertificateFrom is not { } clientCa)
        {
            return;
        }

        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        https.ClientCertificateValidation = (certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(clientCa);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate);
        };
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
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray(), DateTimeOffset.UtcNow)
        {
            ClientCertificateSubject = context.Connection.ClientCertificate?.Subject,
        };
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

        // Kestrel refuses any body write, even an empty one, on a 204 or 304.
        if (response.Body.Length > 0)
        {
            await context.Response.WriteAsync(response.Body);
        }

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
