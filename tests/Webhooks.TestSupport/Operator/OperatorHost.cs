using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webhooks.Operator;
using Webhooks.Operator.Controller;
using Webhooks.TestSupport.Dispatcher;
using Webhooks.TestSupport.Hosting;

namespace Webhooks.TestSupport.Operator;

/// <summary>
/// A real operator, in process: the same <c>AddOperator</c>/<c>MapOperator</c> as Program.cs, talking
/// to the Kubernetes API test server through a kubeconfig, and to the test database.
/// </summary>
public sealed class OperatorHost : IAsyncDisposable
{
    private OperatorHost(WebApplication app) => App = app;

    public WebApplication App { get; }

    public ControllerHost Controller => App.Services.GetRequiredService<ControllerHost>();

    /// <summary>Where <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c> answer.</summary>
    public Uri BaseAddress => App.Address();

    public static async Task<OperatorHost> StartAsync(string connectionString, string kubeconfig, string identity = "operator-1", Dictionary<string, string?>? settings = null)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = connectionString,
            ["Encryption:Keys:test"] = DispatcherHost.EncryptionKey,
            ["Encryption:ActiveKeyId"] = "test",
            ["Operator:Kubeconfig"] = kubeconfig,
            ["Operator:Identity"] = identity,
            ["Operator:StatusInterval"] = "00:00:00.200",
            ["Operator:MinStatusInterval"] = "00:00:00",
            ["Operator:LeaderElection:Enabled"] = "true",
            ["Operator:LeaderElection:LeaseNamespace"] = "default",
            ["Operator:LeaderElection:Identity"] = identity,
            ["Operator:LeaderElection:LeaseDuration"] = "00:00:02",
            ["Operator:LeaderElection:RenewDeadline"] = "00:00:01.500",
            ["Operator:LeaderElection:RetryPeriod"] = "00:00:00.200",
        };
        var app = await InProcessApp.StartAsync(defaults, settings, builder => builder.AddOperator(), app => app.MapOperator());
        return new OperatorHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
