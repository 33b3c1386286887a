using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Dashboard.Features.AuditTrail;

/// <summary>
/// The audit log for auditors: filtered reading, and verification of the hash chain. Verification reads
/// the rows in order with a streaming reader (memory stays flat however long the log) and recomputes each
/// hash; it names the first row whose content or link does not match.
/// </summary>
public sealed class AuditTrail(IDbContextFactory<DashboardDb> dbFactory, NpgsqlDataSource dataSource, AuditLog audit)
{
    public sealed record Query(string? Actor, string? Subject, string? Action, DateTimeOffset? From, DateTimeOffset? To, int Page, int PageSize);

    public sealed record Row(long Id, DateTimeOffset At, string Actor, string Action, string? Subject, Guid? SubjectId, string? EntityType, string? EntityId, string? Detail);

    public sealed record Result(IReadOnlyList<Row> Rows, int Total);

    /// <summary>The outcome of a verification: intact, or the first row that breaks the chain and why.</summary>
    public sealed record Verification(bool Intact, long RowsChecked, long? FirstId, long? LastId, long? BrokenAt, string Message);

    public static bool MayRead(CurrentUser user) => user is { Role: StaffRole.Auditor };

    public async Task<Result?> ListAsync(Query query, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(user);
        if (!MayRead(user))
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = db.AuditEvents.AsNoTracking();
        if (Like(query.Actor) is { } actor)
        {
            rows = rows.Where(a => EF.Functions.ILike(a.ActorName, actor));
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            rows = rows.Where(a => a.Action == query.Action.Trim());
        }

        if (Like(query.Subject) is { } subject)
        {
            rows = rows.Where(a => db.Subjects.Any(s => s.Id == a.SubjectId
                && (EF.Functions.ILike(s.CaseReference, subject) || EF.Functions.ILike(s.GivenName + " " + s.FamilyName, subject))));
        }

        if (query.From is { } from)
        {
            rows = rows.Where(a => a.At >= from);
        }

        if (query.To is { } to)
        {
            rows = rows.Where(a => a.At < to);
        }

        var total = await rows.CountAsync(ct);
        var size = Math.Clamp(query.PageSize, 1, 200);
        var page = await rows.OrderByDescending(a => a.Id).Skip(Math.Max(0, query.Page) * size).Take(size)
            .Select(a => new Row(a.Id, a.At, a.ActorName, a.Action,
                db.Subjects.Where(s => s.Id == a.SubjectId).Select(s => s.CaseReference).FirstOrDefault(), a.SubjectId, a.EntityType, a.EntityId, a.Detail))
            .ToListAsync(ct);
        return new Result(page, total);
    }

    /// <summary>The actions on record, for the filter.</summary>
    public async Task<IReadOnlyList<string>> ActionsAsync(CurrentUser user, CancellationToken ct)
    {
        if (!MayRead(user))
        {
            return [];
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AuditEvents.AsNoTracking().Select(a => a.Action).Distinct().OrderBy(a => a).ToListAsync(ct);
    }

    /// <summary>
    /// Verifies the chain from the first row, or from a checkpoint row (whose stored previous hash is
    /// trusted). The verification itself is audited.
    /// </summary>
    public async Task<Verification?> VerifyAsync(long? fromId, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!MayRead(user))
        {
            return null;
        }

        var result = await VerifyChainAsync(fromId, ct);
        await audit.AppendAsync(new AuditEntry(user.Id, user.Name, "audit-verified", null, "audit", fromId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            result.Message), ct);
        return result;
    }

    public async Task<Verification> VerifyChainAsync(long? fromId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id, at, actor_id, actor_name, action, subject_id, entity_type, entity_id, detail, previous_hash, hash
            FROM audit_events WHERE id >= $1 ORDER BY id
            """);
        command.Parameters.AddWithValue(fromId ?? 0L);
        await using var reader = await command.ExecuteReaderAsync(ct);
        byte[]? expectedPrevious = fromId is null ? AuditLog.GenesisHash : null;
        long checkedRows = 0;
        long? first = null;
        long? last = null;
        while (await reader.ReadAsync(ct))
        {
            var row = new AuditEvent
            {
                Id = reader.GetInt64(0),
                At = reader.GetFieldValue<DateTimeOffset>(1),
                ActorId = reader.IsDBNull(2) ? null : reader.GetGuid(2),
                ActorName = reader.GetString(3),
                Action = reader.GetString(4),
                SubjectId = reader.IsDBNull(5) ? null : reader.GetGuid(5),
                EntityType = reader.IsDBNull(6) ? null : reader.GetString(6),
                EntityId = reader.IsDBNull(7) ? null : reader.GetString(7),
                Detail = reader.IsDBNull(8) ? null : reader.GetString(8),
                PreviousHash = reader.GetFieldValue<byte[]>(9),
                Hash = reader.GetFieldValue<byte[]>(10),
            };
            first ??= row.Id;
            if (expectedPrevious is not null && !row.PreviousHash.AsSpan().SequenceEqual(expectedPrevious))
            {
                return new Verification(false, checkedRows, first, last, row.Id,
                    $"The chain breaks at entry #{row.Id}: it does not link to the entry before it (an entry was removed, inserted or changed).");
            }

            if (!AuditLog.ComputeHash(row.PreviousHash, row).AsSpan().SequenceEqual(row.Hash))
            {
                return new Verification(false, checkedRows, first, last, row.Id,
                    $"The chain breaks at entry #{row.Id}: its content does not match its hash (it was altered after it was written).");
            }

            expectedPrevious = row.Hash;
            last = row.Id;
            checkedRows++;
        }

        return checkedRows == 0
            ? new Verification(true, 0, null, null, null, "No entries to verify.")
            : new Verification(true, checkedRows, first, last, null, $"The chain is intact: {checkedRows:N0} entries from #{first} to #{last} verified.");
    }

    private static string? Like(string? text) => string.IsNullOrWhiteSpace(text) ? null : SqlLike.Containing(text);
}
