using System.Text.Json;
using Npgsql;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.Storage.Database;
using Webhooks.TestSupport.Receivers;

namespace Webhooks.Dispatcher.Tests.Ingest;

/// <summary>The transactional outbox: <c>auditlog.enqueue(jsonb)</c> inside a producer's own transaction.</summary>
public sealed class SqlEnqueueTests : IAsyncLifetime
{
    private DispatcherHost _dispatcher = null!;

    public async Task InitializeAsync() => _dispatcher = await DispatcherHost.StartAsync();

    public async Task DisposeAsync() => await _dispatcher.DisposeAsync();

    [Theory]
    [MemberData(nameof(IngestApiTests.InvalidRecords), MemberType = typeof(IngestApiTests))]
    public async Task Enqueue_InvalidRecord_RaisesTheSameFieldAsTheHttpApi(string json, string field, string reason)
    {
        await using var connection = new NpgsqlConnection(_dispatcher.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select auditlog.enqueue($1::jsonb)", connection) { Parameters = { new() { Value = json } } };

        var exception = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());

        Assert.True(StorageErrors.IsValidationError(exception, out var actualField, out var actualReason), exception.Message);
        Assert.Equal(field, actualField);
        Assert.Contains(reason, actualReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enqueue_RolledBackTransaction_DeliversNothing_CommittedOneIsDelivered()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await _dispatcher.Routes.UpsertAsync(Samples.Route(receiver.Url()), CancellationToken.None);
        await using var connection = new NpgsqlConnection(_dispatcher.ConnectionString);
        await connection.OpenAsync();

        await using (var rolledBack = await connection.BeginTransactionAsync())
        {
            await EnqueueAsync(connection, Samples.SeedRecord(eventId: "evt_rolled-back"));
            await rolledBack.RollbackAsync();
        }

        string eventId;
        await using (var committed = await connection.BeginTransactionAsync())
        {
            eventId = await EnqueueAsync(connection, Samples.SeedRecord(eventId: null));
            await committed.CommitAsync();
        }

        await receiver.WaitForCountAsync(1, TimeSpan.FromSeconds(20));
        var request = Assert.Single(receiver.Requests);
        Assert.StartsWith("evt_", eventId, StringComparison.Ordinal);
        Assert.Equal(eventId, JsonDocument.Parse(request.Body).RootElement.GetProperty("event_id").GetString());
        Assert.Equal(0L, await Database.ScalarAsync<long>(_dispatcher.ConnectionString, "select count(*) from auditlog.events where event_id = 'evt_rolled-back'"));
    }

    [Fact]
    public async Task Enqueue_SeedRecord_GoesOutByteForByteLikeHttpIngest()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await _dispatcher.Routes.UpsertAsync(Samples.Route(receiver.Url()), CancellationToken.None);
        await using var connection = new NpgsqlConnection(_dispatcher.ConnectionString);
        await connection.OpenAsync();

        await EnqueueAsync(connection, Samples.SeedRecord());

        await receiver.WaitForCountAsync(1, TimeSpan.FromSeconds(20));
        Assert.Equal(Samples.SeedBody, System.Text.Encoding.UTF8.GetString(Assert.Single(receiver.Requests).Body));
    }

    private static async Task<string> EnqueueAsync(NpgsqlConnection connection, object record)
    {
        await using var command = new NpgsqlCommand("select auditlog.enqueue($1::jsonb)", connection) { Parameters = { new() { Value = JsonSerializer.Serialize(record) } } };
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
