using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Webhooks.TestSupport.Hosting;

/// <summary>
/// Starts one of our processes inside the test process, wired exactly as its Program.cs wires it,
/// with configuration given in memory only and Kestrel on 127.0.0.1:0.
/// </summary>
public static class InProcessApp
{
    /// <param name="defaults">The settings tests want by default.</param>
    /// <param name="overrides">Changes to <paramref name="defaults"/>; a null value removes the key, so the production default applies.</param>
    /// <param name="add">The process's <c>AddX</c>, plus anything registered before it.</param>
    /// <param name="map">The process's <c>MapX</c>.</param>
    public static async Task<WebApplication> StartAsync(
        Dictionary<string, string?> defaults, Dictionary<string, string?>? overrides, Action<WebApplicationBuilder> add, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        var values = new Dictionary<string, string?>(defaults);
        foreach (var (key, value) in overrides ?? [])
        {
            if (value is null)
            {
                values.Remove(key);
            }
            else
            {
                values[key] = value;
            }
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        add(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }

    /// <summary>The address Kestrel bound.</summary>
    public static Uri Address(this WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
