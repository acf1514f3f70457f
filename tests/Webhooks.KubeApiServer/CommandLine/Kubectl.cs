using System.Diagnostics;
using System.Text;

namespace Webhooks.KubeApiServer.CommandLine;

/// <summary>Runs the real kubectl against a test server through a kubeconfig, each call with a bounded timeout.</summary>
public sealed class Kubectl : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kubectl-test-").FullName;
    private readonly string _kubeconfig;

    public Kubectl(KubeApiTestServer server)
    {
        _kubeconfig = server.WriteKubeconfig(Path.Combine(_directory, "kubeconfig"));
    }

    public static string? Executable { get; } = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "kubectl"))
        .FirstOrDefault(File.Exists);

    public string WriteManifest(string name, string yaml)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    public async Task<Result> RunAsync(params string[] args)
    {
        using var process = Start(args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running kubectl (e.g. <c>get -w</c>) whose output lines are collected as they arrive.</summary>
    public Streaming Stream(params string[] args) => new(Start(args));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Process Start(string[] args)
    {
        var info = new ProcessStartInfo(Executable ?? "kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--kubeconfig", _kubeconfig, "--cache-dir", Path.Combine(_directory, "cache") }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    public sealed class Streaming : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly StringBuilder _errors = new();

        public Streaming(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_lines)
                    {
                        _lines.Add(e.Data);
                    }
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                lock (_errors)
                {
                    _errors.AppendLine(e.Data);
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return _lines.ToList();
                }
            }
        }

        public string Errors
        {
            get
            {
                lock (_errors)
                {
                    return _errors.ToString();
                }
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }

            _process.Dispose();
        }
    }
}
