using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Webhooks.Dispatcher.Tests.Support;

/// <summary>
/// The dispatcher as its own OS process (the built Webhooks.Dispatcher.dll), for tests that kill
/// it or run several against one database.
/// </summary>
public sealed class DispatcherProcess : IAsyncDisposable
{
    private readonly Process _process;

    private DispatcherProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<DispatcherProcess> StartAsync(string connectionString, Dictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var directory = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(directory, "Webhooks.Dispatcher.dll"));
        var environment = new Dictionary<string, string>();
        foreach (var (key, value) in DispatcherHost.BaseSettings(connectionString))
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? string.Empty;
        }

        foreach (var (key, value) in settings ?? [])
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        environment["Urls"] = $"http://127.0.0.1:{port}";
        environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var dispatcher = new DispatcherProcess(process, new Uri($"http://127.0.0.1:{port}"));
        await dispatcher.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        return dispatcher;
    }

    /// <summary>SIGKILL: no shutdown hooks, in-flight requests and unrecorded results are lost with the process.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", DispatcherHost.Token);
        return client;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The dispatcher exited with code {_process.ExitCode} before it was ready.");
            }

            try
            {
                if ((await client.GetAsync("/readyz", deadline.Token)).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, deadline.Token);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
