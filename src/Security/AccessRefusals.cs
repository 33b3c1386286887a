using System.Collections.Concurrent;
using Dashboard.Audit;
using Dashboard.Data;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Security;

/// <summary>
/// Records refused access in the audit log, for auditors: a record asked for outside the user's scope (the
/// user sees the same 404 as for a record that does not exist), a page or endpoint their role does not open,
/// an action their role may not take. One entry per member of staff and resource in a quarter of an hour, so
/// a retrying page or a reconnecting circuit cannot flood the chain. The user is never told more than before.
/// </summary>
public sealed class AccessRefusals(IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>The kinds of record a route can name by id.</summary>
    public enum Record { Subject, CheckIn, Breach, Photo }

    private readonly ConcurrentDictionary<(Guid? Staff, string Actor, string Resource), DateTimeOffset> _recent = new();

    /// <summary>
    /// A record asked for by id was not shown. If it exists outside the user's scope, records the refusal with
    /// its subject; a mistyped or vanished id is not a refusal and records nothing.
    /// </summary>
    /// <param name="what">What was asked, in words: "the subject page", "the trail CSV".</param>
    /// <returns>True if an entry was written.</returns>
    public async Task<bool> OutOfScopeAsync(CurrentUser user, Record record, Guid id, string what, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(what);
        var type = EntityType(record);
        var resource = $"{type}:{id}:{what}";
        if (Throttled(user.Id, user.Name, resource))
        {
            return false;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Unscoped on purpose: the subject is for the auditors, never for the answer.
        var subjectId = record switch
        {
            Record.Subject => await db.Subjects.Where(s => s.Id == id).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct),
            Record.CheckIn => await db.CheckIns.Where(c => c.Id == id).Select(c => (Guid?)c.SubjectId).FirstOrDefaultAsync(ct),
            Record.Breach => await db.Breaches.Where(b => b.Id == id).Select(b => (Guid?)b.SubjectId).FirstOrDefaultAsync(ct),
            _ => await db.Photos.Where(p => p.Id == id).Select(p => (Guid?)p.SubjectId).FirstOrDefaultAsync(ct),
        };
        if (subjectId is not { } subject || await Scope.SubjectIds(db, user).AnyAsync(s => s == subject, ct))
        {
            return false;
        }

        Remember(user.Id, user.Name, resource);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, AuditActions.AccessRefused, subject, type, id.ToString(),
            $"Refused {what}: outside the caseloads of this {user.Role.ToString().ToLowerInvariant()}."), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>A page, endpoint or action the user's role does not allow.</summary>
    /// <param name="resource">What was refused: a request path ("GET /audit") or an action ("decide a breach").</param>
    /// <param name="subjectId">The subject concerned, when the request names one.</param>
    /// <returns>True if an entry was written.</returns>
    public async Task<bool> RoleAsync(Guid? staffId, string actorName, string role, string resource, Guid? subjectId, string? entityType, string? entityId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resource);
        var actor = string.IsNullOrWhiteSpace(actorName) ? "unknown" : actorName;
        var key = entityId is null ? resource : $"{resource}:{entityId}";
        if (Throttled(staffId, actor, key))
        {
            return false;
        }

        Remember(staffId, actor, key);
        await audit.AppendAsync(new AuditEntry(staffId, actor, AuditActions.AccessRefused, subjectId, entityType, entityId,
            $"Refused {resource}: the role {role} does not allow it."), ct);
        return true;
    }

    /// <summary>An action of a use case refused because the user's role may not take it.</summary>
    public Task<bool> RoleAsync(CurrentUser user, string action, Guid? subjectId, string? entityType, Guid? entityId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        return RoleAsync(user.Id, user.Name, user.Role.ToString(), action, subjectId, entityType, entityId?.ToString(), ct);
    }

    /// <summary>A request as the refusal names it: method and path, the path cut short (it is the caller's text).</summary>
    public static string Request(string method, string? path)
    {
        path = string.IsNullOrEmpty(path) ? "/" : path;
        return $"{method} {(path.Length > 200 ? path[..200] + "…" : path)}";
    }

    internal static string EntityType(Record record) => record switch
    {
        Record.Subject => "subject",
        Record.CheckIn => "check-in",
        Record.Breach => "breach",
        _ => "photo",
    };

    private bool Throttled(Guid? staffId, string actor, string resource) =>
        _recent.TryGetValue((staffId, actor, resource), out var at) && clock.GetUtcNow() - at < Window;

    private void Remember(Guid? staffId, string actor, string resource)
    {
        var now = clock.GetUtcNow();
        _recent[(staffId, actor, resource)] = now;
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
