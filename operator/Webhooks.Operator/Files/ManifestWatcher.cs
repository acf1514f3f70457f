using Microsoft.Extensions.Options;

namespace Webhooks.Operator.Files;

/// <summary>
/// Feeds <see cref="ManifestStore"/> from the manifests directory: once at start, then whenever a
/// file changes. A file-system watcher reacts at once; a 2 s fingerprint poll backs it up, since
/// watchers miss events on some mounts (ConfigMap symlink swaps, network file systems).
/// </summary>
public sealed class ManifestWatcher(ManifestStore store, IOptions<OperatorOptions> options, TimeProvider timeProvider, ILogger<ManifestWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Loaded => _loaded.Task.IsCompleted;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The first load happens before the controller starts, so its first list is complete.
        Reload();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = options.Value.ManifestsPath!;
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new FileSystemWatcher(path) { IncludeSubdirectories = false };
        FileSystemEventHandler onChange = (_, _) => Volatile.Read(ref wake).TrySetResult();
        watcher.Changed += onChange;
        watcher.Created += onChange;
        watcher.Deleted += onChange;
        watcher.Renamed += (_, _) => Volatile.Read(ref wake).TrySetResult();
        watcher.EnableRaisingEvents = true;
        var fingerprint = Fingerprint(path);
        while (!stoppingToken.IsCancellationRequested)
        {
            var pending = Volatile.Read(ref wake);
            await Task.WhenAny(pending.Task, Task.Delay(PollInterval, timeProvider, stoppingToken));
            if (pending.Task.IsCompleted)
            {
                Interlocked.CompareExchange(ref wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), pending);
            }

            var current = Fingerprint(path);
            if (current != fingerprint)
            {
                fingerprint = current;
                Reload();
            }
        }
    }

    private void Reload()
    {
        var path = options.Value.ManifestsPath!;
        var (webhooks, secrets, problems) = ManifestLoader.Load(path);
        foreach (var (file, problem) in problems)
        {
            Log.ManifestSkipped(logger, file, problem);
        }

        store.Apply(webhooks, secrets);
        Log.ManifestsLoaded(logger, webhooks.Count, secrets.Count, path);
        _loaded.TrySetResult();
    }

    private static string Fingerprint(string path) => string.Join('|', Directory.EnumerateFiles(path).Order(StringComparer.Ordinal)
        .Select(f => new FileInfo(f)).Select(f => $"{f.Name}:{f.Length}:{f.LastWriteTimeUtc.Ticks}"));
}
