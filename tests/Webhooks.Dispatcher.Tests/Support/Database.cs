using Npgsql;

namespace Webhooks.Dispatcher.Tests.Support;

/// <summary>Direct reads of the dispatcher's tables, for assertions.</summary>
public static class Database
{
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<List<object?[]>> RowsAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Polls <paramref name="sql"/> until it returns true; the code under test gives no signal across processes.</summary>
    public static async Task WaitUntilAsync(string connectionString, string sql, TimeSpan timeout, params object[] parameters)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!await ScalarAsync<bool>(connectionString, sql, parameters))
        {
            await Task.Delay(50, deadline.Token);
        }
    }
}
