using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Features.Breaches;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Subjects;

/// <summary>
/// Case notes on a subject. The author may correct a note's wording for 24 hours; after that the note
/// stands as written and a correction is a new note that points at it. Every note and edit is audited
/// with its text, so the log shows what a note said before an edit.
/// </summary>
public sealed class SubjectNotes(AccessRefusals refusals, IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, TimeProvider clock)
{
    public const int MaxLength = 8000;
    public static readonly TimeSpan EditableFor = TimeSpan.FromHours(24);

    public static bool CanEdit(Guid authorId, DateTimeOffset writtenAt, Guid user, DateTimeOffset now) =>
        authorId == user && now - writtenAt < EditableFor;

    /// <summary>Adds a note; <paramref name="corrects"/> names an older note of the same subject this one corrects.</summary>
    public async Task<ActionResult> AddAsync(Guid subjectId, string? text, Guid? corrects, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await Scope.SubjectIds(db, user).AnyAsync(id => id == subjectId, ct))
        {
            return new ActionResult.NotFound();
        }

        if (!user.CanAct)
        {
            await refusals.RoleAsync(user, "writing a note", subjectId, "subject", subjectId, ct);
            return new ActionResult.Refused("Auditors can read notes but not write them.");
        }

        if (Validate(text) is { } problem)
        {
            return new ActionResult.Refused(problem);
        }

        if (corrects is { } older && !await db.Notes.AnyAsync(n => n.Id == older && n.SubjectId == subjectId, ct))
        {
            return new ActionResult.Refused("The note to correct is not a note of this person.");
        }

        var note = new Note
        {
            Id = Guid.CreateVersion7(),
            SubjectId = subjectId,
            AuthorId = user.Id,
            At = clock.GetUtcNow(),
            Text = text!.Trim(),
            CorrectsNoteId = corrects,
        };
        db.Notes.Add(note);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, corrects is null ? "note-added" : "note-corrected", subjectId, "note", note.Id.ToString(),
            note.Text), ct);
        await tx.CommitAsync(ct);
        return new ActionResult.Done(note.Id);
    }

    public async Task<ActionResult> EditAsync(Guid noteId, string? text, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var note = await db.Notes.FirstOrDefaultAsync(n => n.Id == noteId && Scope.SubjectIds(db, user).Contains(n.SubjectId), ct);
        if (note is null)
        {
            return new ActionResult.NotFound();
        }

        var now = clock.GetUtcNow();
        if (note.AuthorId != user.Id)
        {
            return new ActionResult.Refused("Only the author can edit a note. Add a new note instead.");
        }

        if (!CanEdit(note.AuthorId, note.At, user.Id, now))
        {
            return new ActionResult.Refused("Notes can be edited for 24 hours. Add a correction as a new note.");
        }

        if (Validate(text) is { } problem)
        {
            return new ActionResult.Refused(problem);
        }

        var before = note.Text;
        note.Text = text!.Trim();
        note.EditedAt = now;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new ActionResult.Refused("This note was changed a moment ago. Reload to see it.");
        }

        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "note-edited", note.SubjectId, "note", note.Id.ToString(),
            $"Before: {before}\nAfter: {note.Text}"), ct);
        await tx.CommitAsync(ct);
        return new ActionResult.Done(note.Id);
    }

    private static string? Validate(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "Write the note before saving it."
        : text.Trim().Length > MaxLength ? $"Keep a note under {MaxLength:N0} characters."
        : null;
}
