using System.Collections.Concurrent;
using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Subjects;

/// <summary>
/// Who opened a person's record, and when: the access history of their transparency pack, and a trail for
/// oversight. One audit entry per member of staff, person and page in a quarter of an hour, so reloads,
/// reconnects and re-renders add nothing; a page outside the user's scope is not a view (it showed nothing; AccessRefusals records the attempt).
/// </summary>
public sealed class RecordView(IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<(Guid Staff, Guid Subject, string Page), DateTimeOffset> _recent = new();

    /// <param name="page">What was opened, in words: "the subject page", "check-in 1234…".</param>
    /// <returns>True if an entry was written.</returns>
    public async Task<bool> HandleAsync(CurrentUser user, Guid subjectId, string page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(page);
        var now = clock.GetUtcNow();
        var key = (user.Id, subjectId, page);
        if (_recent.TryGetValue(key, out var at) && now - at < Window)
        {
            return false;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await Scope.SubjectIds(db, user).AnyAsync(id => id == subjectId, ct))
        {
            return false;
        }

        _recent[key] = now;
        Forget(now);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, AuditActions.RecordViewed, subjectId, "subject", subjectId.ToString(),
            $"Opened {page}."), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private void Forget(DateTimeOffset now)
    {
        if (_recent.Count < 10_000)
        {
            return;
        }

        foreach (var (key, at) in _recent)
        {
            if (now - at >= Window)
            {
                _recent.TryRemove(key, out _);
            }
        }
    }
}
