using System.Text;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.TestSupport.Receivers;

namespace Webhooks.Dispatcher.Tests.Delivery;

public sealed class WireFormatTests
{
    [Fact]
    public async Task Delivery_SeedRecord_MatchesSeedWireFormatByteForByte()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await using var dispatcher = await DispatcherHost.StartAsync();
        await dispatcher.Routes.UpsertAsync(Samples.Route(receiver.Url("/0e6ad55a")), CancellationToken.None);

        var response = await dispatcher.IngestAsync(Samples.SeedRecord());
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        await receiver.WaitForCountAsync(1, TimeSpan.FromSeconds(20));

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/0e6ad55a", request.Path);
        Assert.Equal(Samples.SeedBody, Encoding.UTF8.GetString(request.Body));
        var expectedHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Host"] = receiver.BaseAddress.Authority,
            ["Content-Type"] = "application/json",
            ["Content-Length"] = Encoding.UTF8.GetByteCount(Samples.SeedBody).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["User-Agent"] = "Kondukto-Webhook/1.0",
            ["X-KONDUKTO-ORG-ID"] = "646f1e0c2a9b4d0012345678",
            ["Test"] = "Webhook",
        };
        Assert.Equal(expectedHeaders.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase), request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase),
            new HeaderComparer());
    }

    [Fact]
    public void PayloadWriter_NonAsciiAndQuotes_AreValidJsonWithTextKept()
    {
        var record = new Webhooks.Storage.Events.AuditRecord("evt_1", "org", "2025-11-12T12:48Z",
            new Webhooks.Storage.Events.AuditData(new Webhooks.Storage.Events.AuditActor("", "", "Jürgen \"JJ\""), "2025-11-12T12:48Z", "line\nbreak", "user", "login"));

        var body = Encoding.UTF8.GetString(Dispatcher.Delivery.PayloadWriter.Write(record));

        Assert.Contains("\"username\":\"Jürgen \\\"JJ\\\"\"", body, StringComparison.Ordinal);
        Assert.Contains("\"description\":\"line\\nbreak\"", body, StringComparison.Ordinal);
        using var parsed = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal("Jürgen \"JJ\"", parsed.RootElement.GetProperty("data").GetProperty("actor").GetProperty("username").GetString());
    }

    private sealed class HeaderComparer : IEqualityComparer<KeyValuePair<string, string>>
    {
        public bool Equals(KeyValuePair<string, string> x, KeyValuePair<string, string> y) =>
            string.Equals(x.Key, y.Key, StringComparison.OrdinalIgnoreCase) && x.Value == y.Value;

        public int GetHashCode(KeyValuePair<string, string> obj) => StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Key);
    }
}
