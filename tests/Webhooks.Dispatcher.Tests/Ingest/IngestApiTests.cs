using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.TestSupport.Receivers;

namespace Webhooks.Dispatcher.Tests.Ingest;

public sealed class IngestApiTests : IAsyncLifetime
{
    private DispatcherHost _dispatcher = null!;

    public async Task InitializeAsync() => _dispatcher = await DispatcherHost.StartAsync();

    public async Task DisposeAsync() => await _dispatcher.DisposeAsync();

    /// <summary>Each case breaks one rule; the 400 must name the field and the reason.</summary>
    public static TheoryData<string, string, string> InvalidRecords => new()
    {
        { """{"data":{"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login"}}""", "organization_id", "is required" },
        { """{"organization_id":"","data":{"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login"}}""", "organization_id", "must not be empty" },
        { """{"organization_id":42,"data":{"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login"}}""", "organization_id", "must be a string" },
        { """{"organization_id":"o"}""", "data", "is required" },
        { """{"organization_id":"o","data":[]}""", "data", "must be a JSON object" },
        { """{"organization_id":"o","data":{"event_category":"user","event_name":"login"}}""", "data.date", "is required" },
        { """{"organization_id":"o","data":{"date":"yesterday","event_category":"user","event_name":"login"}}""", "data.date", "RFC 3339" },
        { """{"organization_id":"o","data":{"date":"2025-11-12T12:12:48Z","event_name":"login"}}""", "data.event_category", "is required" },
        { """{"organization_id":"o","data":{"date":"2025-11-12T12:12:48Z","event_category":"user"}}""", "data.event_name", "is required" },
        { """{"organization_id":"o","event_category":"scan_finished","data":{"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login"}}""", "event_category", "audit_log_creation" },
        { """{"organization_id":"o","event_id":"96e428f2","data":{"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login"}}""", "event_id", "must match" },
        { """{"organization_id":"o","occurred_at":"12/11/2025","data":{"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login"}}""", "occurred_at", "RFC 3339" },
        { """{"organization_id":"o","colour":"red","data":{"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login"}}""", "colour", "is not a known field" },
        { """{"organization_id":"o","data":{"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login","actor":"koray"}}""", "data.actor", "must be a JSON object" },
        { """{"organization_id":"o","data":{"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login","actor":{"email":"k@x"}}}""", "data.actor.email", "is not a known field" },
        { """{"organization_id":"o","data":{"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login","actor":{"ip":7}}}""", "data.actor.ip", "must be a string" },
        { "[1]", "$", "must be a JSON object" },
    };

    [Theory]
    [MemberData(nameof(InvalidRecords))]
    public async Task Ingest_InvalidRecord_Returns400NamingFieldAndReason(string json, string field, string reason)
    {
        var response = await PostRawAsync(json, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var error = Assert.Single(problem["errors"]!.AsArray());
        Assert.Equal(field, (string?)error!["field"]);
        Assert.Contains(reason, (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(0, await CountEventsAsync());
    }

    [Fact]
    public async Task Ingest_TooLongDescription_IsRejectedWithLimit()
    {
        var record = JsonNode.Parse(JsonSerializer.Serialize(Samples.SeedRecord(eventId: null)))!;
        record["data"]!["description"] = new string('x', 8193);

        var response = await PostRawAsync(record.ToJsonString(), "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("data.description", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_BatchWithOneInvalidRecord_RejectsWholeBatchNamingTheRecord()
    {
        var json = $"[{JsonSerializer.Serialize(Samples.SeedRecord(eventId: null))},{{\"organization_id\":\"o\"}}]";

        var response = await PostRawAsync(json, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!;
        Assert.Equal(1, (int)error["index"]!);
        Assert.Equal(0, await CountEventsAsync());
    }

    [Fact]
    public async Task Ingest_MalformedJson_Returns400()
    {
        var response = await PostRawAsync("{\"organization_id\":", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid JSON", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token-wrong-token")]
    [InlineData("Basic dGVzdDp0ZXN0")]
    public async Task Ingest_WithoutValidToken_Returns401(string? authorization)
    {
        using var client = new HttpClient { BaseAddress = _dispatcher.Client.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audit-logs") { Content = JsonContent.Create(Samples.SeedRecord()) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(0, await CountEventsAsync());
    }

    [Fact]
    public async Task Ingest_BodyOverLimit_Returns413()
    {
        var record = JsonSerializer.Serialize(Samples.SeedRecord(eventId: null));
        var ndjson = string.Join('\n', Enumerable.Repeat(record, (1 << 20) / record.Length + 10));

        var response = await PostRawAsync(ndjson, "application/x-ndjson");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await CountEventsAsync());
    }

    [Fact]
    public async Task Ingest_ChunkedBodyOverLimit_Returns413()
    {
        var record = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Samples.SeedRecord(eventId: null)) + "\n");
        var content = new StreamContent(new MemoryStream(Enumerable.Range(0, (1 << 20) / record.Length + 10).SelectMany(_ => record).ToArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audit-logs") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await _dispatcher.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Ingest_UnsupportedContentType_Returns415()
    {
        var response = await PostRawAsync("organization_id=o", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Ingest_EmptyArray_Returns400()
    {
        var response = await PostRawAsync("[]", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at least one", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_NdjsonAndArrayBatches_AcceptEveryRecordAndAssignIds()
    {
        var withoutIds = Enumerable.Range(0, 3).Select(_ => JsonSerializer.Serialize(Samples.SeedRecord(eventId: null)));
        var ndjson = await PostRawAsync(string.Join("\r\n", withoutIds) + "\n\n", "application/x-ndjson");
        var array = await PostRawAsync($"[{string.Join(',', withoutIds)}]", "application/json; charset=utf-8");

        foreach (var response in new[] { ndjson, array })
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(3, (int)body["accepted"]!);
            Assert.All(body["event_ids"]!.AsArray(), id => Assert.Matches("^evt_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", (string?)id));
        }

        Assert.Equal(6, await CountEventsAsync());
    }

    [Fact]
    public async Task Ingest_DuplicateEventId_IsAcceptedOnceAndDeliveredOnce()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await _dispatcher.Routes.UpsertAsync(Samples.Route(receiver.Url()), CancellationToken.None);

        var first = await _dispatcher.IngestAsync(Samples.SeedRecord());
        var second = await _dispatcher.IngestAsync(new[] { Samples.SeedRecord(), Samples.SeedRecord() });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var repeat = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;
        Assert.Equal(0, (int)repeat["accepted"]!);
        Assert.Equal(2, (int)repeat["duplicates"]!);
        await receiver.WaitForCountAsync(1, TimeSpan.FromSeconds(20));
        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 1 from auditlog.delivery_attempts", TimeSpan.FromSeconds(10));
        Assert.Equal(1, await CountEventsAsync());
        Assert.Equal(1L, await Database.ScalarAsync<long>(_dispatcher.ConnectionString, "select count(*) from auditlog.delivery_attempts"));
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Ingest_Accepted_IsCommittedBeforeThe202()
    {
        var response = await _dispatcher.IngestAsync(Samples.SeedRecord(eventId: "evt_committed-before-202"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        // A separate connection sees the row the moment the 202 is read.
        Assert.Equal(1L, await Database.ScalarAsync<long>(_dispatcher.ConnectionString, "select count(*) from auditlog.events where event_id = 'evt_committed-before-202'"));
    }

    private async Task<HttpResponseMessage> PostRawAsync(string body, string contentType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await _dispatcher.Client.PostAsync("/v1/audit-logs", content);
    }

    private async Task<long> CountEventsAsync() => await Database.ScalarAsync<long>(_dispatcher.ConnectionString, "select count(*) from auditlog.events");
}
