namespace Webhooks.LocalRun;

/// <summary>Ports and pacing of the local run; environment variables override the defaults.</summary>
public sealed record LocalRunOptions(int DispatcherPort, int ReceiverPort, TimeSpan TrickleInterval)
{
    public static LocalRunOptions FromEnvironment() => new(
        Read("WEBHOOKS_DISPATCHER_PORT", 8080),
        Read("WEBHOOKS_RECEIVER_PORT", 9090),
        TimeSpan.FromSeconds(Read("WEBHOOKS_TRICKLE_SECONDS", 3)));

    private static int Read(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var value) ? value : fallback;
}
