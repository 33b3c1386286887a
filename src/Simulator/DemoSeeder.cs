using System.Globalization;
using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Simulator;

/// <summary>
/// Seeds the demo service: two teams (a supervisor and three officers each), an auditor, and
/// <see cref="DemoData.SubjectCount"/> subjects with a device, a synthetic reference photo, a home
/// address and zones around London. Idempotent: a second run (or a second instance) adds nothing.
/// </summary>
public sealed class DemoSeeder(IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, TimeProvider clock, ILogger<DemoSeeder> logger)
{
    private const long SeedLockKey = 0x5345_4544; // "SEED"

    public async Task SeedAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({SeedLockKey})", ct);
        if (await db.Staff.AnyAsync(s => s.LoginName == "auditor1", ct))
        {
            return;
        }

        var now = clock.GetUtcNow();
#pragma warning disable CA5394 // Demo data only: no security depends on this randomness.
        var random = new Random(20261127);
        var officers = new List<StaffMember>();
        foreach (var (teamName, supervisorLogin, officerLogins) in DemoData.Teams)
        {
            var team = new Team { Id = Guid.CreateVersion7(), Name = teamName };
            db.Teams.Add(team);
            db.Staff.Add(Staff(supervisorLogin, StaffRole.Supervisor, team.Id));
            foreach (var login in officerLogins)
            {
                var officer = Staff(login, StaffRole.Officer, team.Id);
                officers.Add(officer);
                db.Staff.Add(officer);
            }
        }

        db.Staff.Add(Staff("auditor1", StaffRole.Auditor, null));

        for (var i = 1; i <= DemoData.SubjectCount; i++)
        {
            var officer = officers[(i - 1) % officers.Count];
            var home = Geo.Offset(DemoData.CityCentre, 1500 + (random.NextDouble() * 7500), random.NextDouble() * 360);
            var subjectId = Guid.CreateVersion7();
            var photo = new Photo
            {
                Id = Guid.CreateVersion7(),
                SubjectId = subjectId,
                Kind = PhotoKind.Reference,
                Jpeg = SyntheticFace.Render(i, 0),
                CreatedAt = now,
            };
            db.Photos.Add(photo);
            var given = DemoData.GivenNames[random.Next(DemoData.GivenNames.Length)];
            var family = DemoData.FamilyNames[random.Next(DemoData.FamilyNames.Length)];
            db.Subjects.Add(new Subject
            {
                Id = subjectId,
                CaseReference = string.Create(CultureInfo.InvariantCulture, $"EM-{now.Year}-{i:0000}"),
                GivenName = given,
                FamilyName = family,
                OfficerId = officer.Id,
                HomeAddress = string.Create(CultureInfo.InvariantCulture, $"{random.Next(1, 220)} {DemoData.Streets[random.Next(DemoData.Streets.Length)]}, London"),
                Home = Geometry.Point(home),
                MonitoringStart = new DateTimeOffset(now.UtcDateTime.Date.AddDays(-random.Next(14, 200)), TimeSpan.Zero),
                ReferencePhotoId = photo.Id,
                ReviewDueOn = DateOnly.FromDateTime(now.UtcDateTime).AddDays(random.Next(-10, 90)),
            });
            db.Devices.Add(new Device
            {
                Id = DemoData.DeviceId(i),
                SubjectId = subjectId,
                Model = DemoData.DeviceModels[i % DemoData.DeviceModels.Length],
                BatteryPct = random.Next(35, 100),
            });
            db.Zones.Add(CircleZone(subjectId, "Home (curfew address)", ZoneKind.Inclusion, home, 120, new TimeOnly(19, 0), new TimeOnly(7, 0)));
            var exclusionCentre = Geo.Offset(home, 1200 + (random.NextDouble() * 1800), random.NextDouble() * 360);
            db.Zones.Add(CircleZone(subjectId, DemoData.ExclusionNames[i % DemoData.ExclusionNames.Length], ZoneKind.Exclusion, exclusionCentre, 250 + random.Next(0, 250), null, null));
        }
#pragma warning restore CA5394

        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(db, new AuditEntry(null, "system", AuditActions.Seeded, Detail: $"{DemoData.SubjectCount} demo subjects"), ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Seeded the demo service: {Subjects} subjects over {Officers} officers", DemoData.SubjectCount, officers.Count);
    }

    private static StaffMember Staff(string login, StaffRole role, Guid? teamId) => new()
    {
        Id = Guid.CreateVersion7(),
        LoginName = login,
        DisplayName = DemoData.DisplayNames[login],
        Role = role,
        TeamId = teamId,
    };

    private static Zone CircleZone(Guid subjectId, string name, ZoneKind kind, LatLon centre, double radiusM, TimeOnly? curfewStart, TimeOnly? curfewEnd) => new()
    {
        Id = Guid.CreateVersion7(),
        SubjectId = subjectId,
        Name = name,
        Kind = kind,
        Area = Geometry.Polygon(Geo.Circle(centre, radiusM)),
        Centre = Geometry.Point(centre),
        RadiusM = radiusM,
        CurfewStart = curfewStart,
        CurfewEnd = curfewEnd,
    };
}
