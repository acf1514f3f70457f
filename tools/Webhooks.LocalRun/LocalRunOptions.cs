namespace Webhooks.LocalRun;

/// <summary>Ports and pacing of the local run; environment variables override the defaults.</summary>
public sealed record LocalRunOptions(int DispatcherPort, int OperatorPort, int ReceiverPort, TimeSpan TrickleInterval, string ManifestsPath)
{
    public static LocalRunOptions FromEnvironment() => new(
        Read("WEBHOOKS_DISPATCHER_PORT", 8080),
        Read("WEBHOOKS_OPERATOR_PORT", 8081),
        Read("WEBHOOKS_RECEIVER_PORT", 9090),
        TimeSpan.FromSeconds(Read("WEBHOOKS_TRICKLE_SECONDS", 3)),
        Path.GetFullPath(Environment.GetEnvironmentVariable("WEBHOOKS_MANIFESTS") ?? Path.Combine(RepositoryRoot(), "config", "samples")));

    /// <summary>The checkout this tool runs from, so `make run` finds config/samples from any directory.</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Webhooks.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private static int Read(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var value) ? value : fallback;
}
