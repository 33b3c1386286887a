using System.Threading.Channels;
using Npgsql;

namespace Dashboard.Ingestion;

/// <summary>
/// Group commit for check-ins: requests that arrive together are written by one transaction, so that a
/// burst costs one commit and one round trip instead of one each. A caller's task completes only after
/// the commit, so nothing is answered or published before it is durable. When a group fails, each of
/// its statements is retried alone, so one bad item never fails its neighbours.
/// </summary>
public sealed class CheckInWriter : IAsyncDisposable
{
    private const int MaxGroup = 64;
    private const int Writers = 2;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<CheckInWriter> _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _loops;

    private sealed record Pending(NpgsqlBatchCommand Command, TaskCompletionSource<object?[]?> Done);

    public CheckInWriter(NpgsqlDataSource dataSource, ILogger<CheckInWriter> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
        _loops = [.. Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteLoopAsync))];
    }

    /// <summary>
    /// Runs a statement that returns at most one row; answers that row's values, or null when it
    /// returned none. Completes after the commit.
    /// </summary>
    public Task<object?[]?> WriteAsync(NpgsqlBatchCommand command, CancellationToken ct)
    {
        var pending = new Pending(command, new TaskCompletionSource<object?[]?>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The check-in writer is shutting down.");
        }

        // The write goes ahead even if the caller gives up: a client retry is then answered as a repeat.
        return pending.Done.Task.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_loops);
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<Pending>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var next))
            {
                group.Add(next);
            }

            if (group.Count == 0)
            {
                continue;
            }

            try
            {
                await WriteGroupAsync(group);
            }
            catch (Exception ex)
            {
                // Whatever went wrong, every caller gets an answer: each statement is tried alone.
                if (group.Count > 1)
                {
                    _logger.LogWarning(ex, "A group of {Count} check-ins failed; writing them one by one", group.Count);
                }

                foreach (var item in group)
                {
                    await WriteOneAsync(item);
                }
            }
        }
    }

    private async Task WriteGroupAsync(List<Pending> group)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var results = new object?[]?[group.Count];
        await using (var batch = new NpgsqlBatch(connection, tx))
        {
            foreach (var item in group)
            {
                batch.BatchCommands.Add(Detach(item.Command));
            }

            await using var reader = await batch.ExecuteReaderAsync();
            for (var i = 0; i < group.Count; i++)
            {
                if (i > 0 && !await reader.NextResultAsync())
                {
                    throw new InvalidOperationException("A check-in statement returned no result set.");
                }

                results[i] = await ReadRowAsync(reader);
            }
        }

        await tx.CommitAsync();
        for (var i = 0; i < group.Count; i++)
        {
            group[i].Done.TrySetResult(results[i]);
        }
    }

    private async Task WriteOneAsync(Pending item)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(Detach(item.Command));
            await using var reader = await batch.ExecuteReaderAsync();
            item.Done.TrySetResult(await ReadRowAsync(reader));
        }
        catch (Exception ex)
        {
            item.Done.TrySetException(ex);
        }
    }

    private static async Task<object?[]?> ReadRowAsync(NpgsqlDataReader reader)
    {
        if (!await reader.ReadAsync())
        {
            return null;
        }

        var values = new object?[reader.FieldCount];
        for (var f = 0; f < reader.FieldCount; f++)
        {
            values[f] = reader.IsDBNull(f) ? null : reader.GetValue(f);
        }

        return values;
    }

    /// <summary>A batch command belongs to one batch at a time: a retry needs a fresh copy.</summary>
    private static NpgsqlBatchCommand Detach(NpgsqlBatchCommand command)
    {
        var copy = new NpgsqlBatchCommand(command.CommandText);
        foreach (NpgsqlParameter parameter in command.Parameters)
        {
            copy.Parameters.Add(parameter.Clone());
        }

        return copy;
    }
}
