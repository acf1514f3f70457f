using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Serialization;

namespace Webhooks.Benchmarks.Infrastructure;

/// <summary>Peak and current resident memory of a process, from /proc/pid/status.</summary>
public sealed record MemoryReading(
    [property: JsonPropertyName("peak_mib")] double PeakMiB,
    [property: JsonPropertyName("current_mib")] double CurrentMiB);

/// <summary>
/// The dispatcher as production runs it: its own OS process (<c>dotnet Webhooks.Dispatcher.dll</c>,
/// the Release build beside this harness), configured only by environment variables, its console
/// output kept in a log file.
/// </summary>
public sealed class DispatcherProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private int _warnings;

    private DispatcherProcess(Process process, Uri baseAddress, StreamWriter log)
    {
        _process = process;
        BaseAddress = baseAddress;
        _log = log;
    }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    /// <summary>Console lines at warning level or above ("warn:", "fail:", "crit:") so far.</summary>
    public int Warnings => Volatile.Read(ref _warnings);

    public static async Task<DispatcherProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string logPath, CancellationToken cancellationToken)
    {
        var directory = AppContext.BaseDirectory;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(directory, "Webhooks.Dispatcher.dll"));
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var dispatcher = new DispatcherProcess(process, new Uri($"http://127.0.0.1:{port}"), log);
        process.OutputDataReceived += (_, e) => dispatcher.Write(e.Data);
        process.ErrorDataReceived += (_, e) => dispatcher.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await dispatcher.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);
        return dispatcher;
    }

    public MemoryReading ReadMemory()
    {
        double Read(string key) => File.ReadLines($"/proc/{Pid}/status")
            .Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => long.Parse(l[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0)
            .FirstOrDefault();
        return new MemoryReading(Read("VmHWM:"), Read("VmRSS:"));
    }

    public double CpuSeconds() => CpuMeter.ProcessSeconds(Pid);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _warnings);
        }

        lock (_log)
        {
            _log.WriteLine(line);
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Clock.After(Clock.Now, timeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The dispatcher exited with code {_process.ExitCode} before it was ready; see its log.");
            }

            if (Clock.Now > deadline)
            {
                throw new TimeoutException($"The dispatcher was not ready within {timeout.TotalSeconds:0} s; see its log.");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet: the next round asks again.
            }

            await Clock.DelayAsync(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
