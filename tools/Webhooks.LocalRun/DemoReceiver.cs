using System.Text;
using System.Text.Json;

namespace Webhooks.LocalRun;

/// <summary>
/// A receiver that prints each delivery the way webhook.site's inbox shows it: method, path,
/// time, headers, then the JSON body formatted.
/// </summary>
public static class DemoReceiver
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static int _count;

    public static async Task<WebApplication> StartAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            Print(context.Request, body);
            await context.Response.WriteAsync("This URL has no default content configured.", context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        return app;
    }

    private static void Print(HttpRequest request, string body)
    {
        var text = new StringBuilder()
            .AppendLine()
            .AppendLine($"── inbox #{Interlocked.Increment(ref _count)} ── {request.Method} {request.Path} ── {DateTimeOffset.Now:dd MMM yyyy HH:mm:ss}");
        foreach (var (name, value) in request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            text.AppendLine($"  {name.ToLowerInvariant()}: {value}");
        }

        try
        {
            text.AppendLine(JsonSerializer.Serialize(JsonDocument.Parse(body).RootElement, Indented));
        }
        catch (JsonException)
        {
            text.AppendLine(body);
        }

        Console.Write(text.ToString());
    }
}
