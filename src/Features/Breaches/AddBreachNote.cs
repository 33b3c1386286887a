using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Breaches;

/// <summary>A note on a breach's timeline (what was learnt, who was called). Audited; the breach's viewers see it live.</summary>
public sealed class AddBreachNote(AccessRefusals refusals, IDbContextFactory<DashboardDb> dbFactory, ILiveNotifier live, AuditLog audit, TimeProvider clock)
{
    public const int MaxLength = 8000;

    public sealed record Command(Guid BreachId, string? Text);

    public async Task<ActionResult> HandleAsync(Command command, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var breach = await db.Breaches.AsNoTracking()
            .Where(b => b.Id == command.BreachId && Scope.SubjectIds(db, user).Contains(b.SubjectId))
            .Select(b => new { b.Id, b.SubjectId, b.Number, b.State })
            .FirstOrDefaultAsync(ct);
        if (breach is null)
        {
            return new ActionResult.NotFound();
        }

        if (!user.CanAct)
        {
            await refusals.RoleAsync(user, "adding a breach note", breach.SubjectId, "breach", command.BreachId, ct);
            return new ActionResult.Refused("Auditors can read notes but not add them.");
        }

        var text = command.Text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return new ActionResult.Refused("Write the note first.");
        }

        if (text.Length > MaxLength)
        {
            return new ActionResult.Refused($"Keep the note under {MaxLength:N0} characters.");
        }

        var now = clock.GetUtcNow();
        var note = new Note { Id = Guid.CreateVersion7(), SubjectId = breach.SubjectId, BreachId = breach.Id, AuthorId = user.Id, At = now, Text = text };
        db.Notes.Add(note);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "breach-note-added", breach.SubjectId, "breach-note", breach.Id.ToString(),
            $"Note {note.Id} added to breach {breach.Number}: {text}"), ct);
        await tx.CommitAsync(ct);

        // The state is unchanged; the message tells the breach's open pages to fetch the new note.
        await live.BreachChangedAsync(new BreachChanged(breach.Id, breach.SubjectId, breach.Number, breach.State, user.Name, now), CancellationToken.None);
        return new ActionResult.Done(breach.Id, breach.Number);
    }
}
