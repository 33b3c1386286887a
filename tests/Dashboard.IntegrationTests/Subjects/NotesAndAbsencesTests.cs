using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Features.Subjects;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Subjects;

/// <summary>officer1 holds demo-0001, demo-0007, ...; officer2 holds demo-0002, ...</summary>
public class NotesAndAbsencesTests(IngestionApp fixture) : IClassFixture<IngestionApp>
{
    private SubjectNotes Notes => fixture.App.Services.GetRequiredService<SubjectNotes>();
    private SubjectAbsences Absences => fixture.App.Services.GetRequiredService<SubjectAbsences>();
    private GetSubject Subject => fixture.App.Services.GetRequiredService<GetSubject>();
    private string Db => fixture.App.ConnectionString;

    private Task<CurrentUser> UserAsync(string login) => StaffUsers.UserAsync(Db, login);

    private async Task<Guid> SubjectOfAsync(string device) => (Guid)(await Sql.ScalarAsync(Db, "SELECT subject_id FROM devices WHERE id = $1", device))!;

    [Fact]
    public async Task A_note_is_stored_audited_and_shown_and_its_author_can_edit_it_within_24_hours()
    {
        var subject = await SubjectOfAsync("demo-0007");
        var officer1 = await UserAsync("officer1");

        var added = Assert.IsType<ActionResult.Done>(await Notes.AddAsync(subject, "  Phoned about the missed check-in; says the watch was charging.  ", null, officer1, CancellationToken.None));
        var edited = await Notes.EditAsync(added.Id!.Value, "Phoned about the missed check-in; the watch was charging in the kitchen.", officer1, CancellationToken.None);

        Assert.IsType<ActionResult.Done>(edited);
        var note = Assert.Single((await Subject.HandleAsync(subject, officer1, CancellationToken.None))!.More!.Notes, n => n.Id == added.Id);
        Assert.Equal("Phoned about the missed check-in; the watch was charging in the kitchen.", note.Text);
        Assert.NotNull(note.EditedAt);
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'note-added' AND entity_id = $1 AND detail = 'Phoned about the missed check-in; says the watch was charging.'", added.Id.ToString()!));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'note-edited' AND entity_id = $1 AND detail LIKE 'Before: Phoned about the missed check-in; says%'", added.Id.ToString()!));
    }

    [Fact]
    public async Task After_24_hours_a_note_cannot_be_edited_and_a_correction_is_a_new_note_pointing_at_it()
    {
        var subject = await SubjectOfAsync("demo-0013");
        var officer1 = await UserAsync("officer1");
        var added = Assert.IsType<ActionResult.Done>(await Notes.AddAsync(subject, "Visited at home.", null, officer1, CancellationToken.None));
        await Sql.ExecuteAsync(Db, "UPDATE notes SET at = now() - interval '25 hours' WHERE id = $1", added.Id!.Value);

        var edit = await Notes.EditAsync(added.Id.Value, "Visited at work.", officer1, CancellationToken.None);
        var correction = await Notes.AddAsync(subject, "Correction: the visit was at work, not at home.", added.Id, officer1, CancellationToken.None);

        Assert.Equal("Notes can be edited for 24 hours. Add a correction as a new note.", Assert.IsType<ActionResult.Refused>(edit).Message);
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM notes WHERE id = $1 AND text = 'Visited at home.' AND edited_at IS NULL", added.Id.Value));
        var correctionId = Assert.IsType<ActionResult.Done>(correction).Id!.Value;
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM notes WHERE id = $1 AND corrects_note_id = $2", correctionId, added.Id.Value));
    }

    [Fact]
    public async Task Another_officer_an_auditor_and_an_empty_note_are_refused_and_nothing_is_stored()
    {
        var subject = await SubjectOfAsync("demo-0019");
        var officer1 = await UserAsync("officer1");
        var officer2 = await UserAsync("officer2");
        var auditor = await UserAsync("auditor1");
        var before = await Sql.CountAsync(Db, "SELECT count(*) FROM notes WHERE subject_id = $1", subject);

        Assert.IsType<ActionResult.NotFound>(await Notes.AddAsync(subject, "Not my case.", null, officer2, CancellationToken.None));
        Assert.Equal("Auditors can read notes but not write them.", Assert.IsType<ActionResult.Refused>(await Notes.AddAsync(subject, "x", null, auditor, CancellationToken.None)).Message);
        Assert.Equal("Write the note before saving it.", Assert.IsType<ActionResult.Refused>(await Notes.AddAsync(subject, "   ", null, officer1, CancellationToken.None)).Message);
        Assert.Equal($"Keep a note under {SubjectNotes.MaxLength:N0} characters.",
            Assert.IsType<ActionResult.Refused>(await Notes.AddAsync(subject, new string('a', SubjectNotes.MaxLength + 1), null, officer1, CancellationToken.None)).Message);
        var mine = Assert.IsType<ActionResult.Done>(await Notes.AddAsync(subject, "Mine.", null, officer1, CancellationToken.None));
        Assert.IsType<ActionResult.NotFound>(await Notes.EditAsync(mine.Id!.Value, "Changed by someone else.", officer2, CancellationToken.None));

        Assert.Equal(before + 1, await Sql.CountAsync(Db, "SELECT count(*) FROM notes WHERE subject_id = $1", subject));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM notes WHERE id = $1 AND text = 'Mine.'", mine.Id.Value));
        Assert.Null(await Subject.HandleAsync(subject, officer2, CancellationToken.None));
    }

    [Fact]
    public async Task An_absence_is_validated_audited_and_covers_the_open_missed_check_in_alerts_inside_it()
    {
        var subject = await SubjectOfAsync("demo-0025");
        var officer1 = await UserAsync("officer1");
        var inside = Guid.NewGuid();
        var outside = Guid.NewGuid();
        var tamper = Guid.NewGuid();
        await Sql.ExecuteAsync(Db, """
            INSERT INTO alerts (id, subject_id, kind, state, episode_key, raised_at, summary, occurrences) VALUES
              ($1, $4, 'MissedCheckIn', 'Open', 'test:' || $1::text, now() - interval '30 minutes', 'No check-in for the 14:00 prompt.', 1),
              ($2, $4, 'MissedCheckIn', 'Open', 'test:' || $2::text, now() - interval '5 hours', 'No check-in for the 09:00 prompt.', 1),
              ($3, $4, 'DeviceTamper', 'Open', 'test:' || $3::text, now() - interval '30 minutes', 'Strap opened.', 1)
            """, inside, outside, tamper, subject);
        var now = DateTimeOffset.UtcNow;

        var backwards = await Absences.RecordAsync(subject, now.AddHours(2), now.AddHours(1), "Hospital appointment", officer1, CancellationToken.None);
        var noReason = await Absences.RecordAsync(subject, now.AddHours(-1), now.AddHours(1), " ", officer1, CancellationToken.None);
        var recorded = await Absences.RecordAsync(subject, now.AddHours(-1), now.AddHours(1), "Hospital appointment (letter seen)", officer1, CancellationToken.None);

        Assert.Equal("The absence must end after it starts.", Assert.IsType<ActionResult.Refused>(backwards).Message);
        Assert.Equal("Give the reason for the absence.", Assert.IsType<ActionResult.Refused>(noReason).Message);
        var absence = Assert.IsType<ActionResult.Done>(recorded).Id!.Value;
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM absences WHERE subject_id = $1", subject));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM alerts WHERE id = $1 AND state = 'Covered' AND covered_by_absence_id = $2", inside, absence));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM alerts WHERE id = $1 AND state = 'Open'", outside));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM alerts WHERE id = $1 AND state = 'Open'", tamper));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'absence-recorded' AND entity_id = $1 AND detail LIKE '%Covers 1 alert(s)%'", absence.ToString()));
        Assert.Equal(2, (await Subject.HandleAsync(subject, officer1, CancellationToken.None))!.More!.Violations);
    }

    [Fact]
    public async Task An_absence_can_be_cancelled_before_it_ends_but_not_by_another_caseload_or_twice()
    {
        var subject = await SubjectOfAsync("demo-0031");
        var officer1 = await UserAsync("officer1");
        var officer2 = await UserAsync("officer2");
        var now = DateTimeOffset.UtcNow;
        var absence = Assert.IsType<ActionResult.Done>(await Absences.RecordAsync(subject, now.AddHours(3), now.AddHours(5), "Work shift", officer1, CancellationToken.None)).Id!.Value;

        Assert.IsType<ActionResult.NotFound>(await Absences.RecordAsync(subject, now.AddHours(3), now.AddHours(5), "Not my case", officer2, CancellationToken.None));
        Assert.IsType<ActionResult.NotFound>(await Absences.CancelAsync(absence, officer2, CancellationToken.None));
        Assert.IsType<ActionResult.Done>(await Absences.CancelAsync(absence, officer1, CancellationToken.None));
        Assert.Equal("This absence has already been cancelled.", Assert.IsType<ActionResult.Refused>(await Absences.CancelAsync(absence, officer1, CancellationToken.None)).Message);

        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM absences WHERE subject_id = $1", subject));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM absences WHERE id = $1 AND cancelled_by IS NOT NULL", absence));
    }
}
