using Dashboard.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Dashboard.Data;

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.HasIndex(t => t.Name).IsUnique();
    }
}

internal sealed class StaffMemberConfiguration : IEntityTypeConfiguration<StaffMember>
{
    public void Configure(EntityTypeBuilder<StaffMember> builder)
    {
        builder.ToTable("staff");
        builder.Property(s => s.LoginName).HasMaxLength(64);
        builder.Property(s => s.DisplayName).HasMaxLength(120);
        builder.Property(s => s.EntraObjectId).HasMaxLength(64);
        builder.HasIndex(s => s.LoginName).IsUnique();
        builder.HasIndex(s => s.EntraObjectId).IsUnique();
        builder.HasOne<Team>().WithMany().HasForeignKey(s => s.TeamId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SubjectConfiguration : IEntityTypeConfiguration<Subject>
{
    public void Configure(EntityTypeBuilder<Subject> builder)
    {
        builder.Property(s => s.CaseReference).HasMaxLength(32);
        builder.Property(s => s.GivenName).HasMaxLength(80);
        builder.Property(s => s.FamilyName).HasMaxLength(80);
        builder.Property(s => s.HomeAddress).HasMaxLength(200);
        builder.Property(s => s.Home).HasColumnType("geography (point, 4326)");
        builder.HasIndex(s => s.CaseReference).IsUnique();
        builder.HasIndex(s => s.OfficerId);
        builder.HasIndex(s => s.ReviewDueOn);
        builder.HasOne<StaffMember>().WithMany().HasForeignKey(s => s.OfficerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Photo>().WithMany().HasForeignKey(s => s.ReferencePhotoId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> builder)
    {
        builder.Property(d => d.Id).HasMaxLength(64);
        builder.Property(d => d.Model).HasMaxLength(64);
        builder.HasIndex(d => d.SubjectId).IsUnique();
        builder.HasOne<Subject>().WithMany().HasForeignKey(d => d.SubjectId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PhotoConfiguration : IEntityTypeConfiguration<Photo>
{
    public void Configure(EntityTypeBuilder<Photo> builder)
    {
        builder.HasIndex(p => p.SubjectId);
        builder.HasIndex(p => p.RetainUntil);
    }
}

internal sealed class ZoneConfiguration : IEntityTypeConfiguration<Zone>
{
    public void Configure(EntityTypeBuilder<Zone> builder)
    {
        builder.Property(z => z.Name).HasMaxLength(100);
        builder.Property(z => z.Area).HasColumnType("geography (polygon, 4326)");
        builder.Property(z => z.Centre).HasColumnType("geography (point, 4326)");
        builder.Property(z => z.Version).IsRowVersion();
        builder.HasIndex(z => z.SubjectId);
        builder.HasIndex(z => z.Area).HasMethod("gist");
        builder.HasOne<Subject>().WithMany().HasForeignKey(z => z.SubjectId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PolicyVersionConfiguration : IEntityTypeConfiguration<PolicyVersion>
{
    public void Configure(EntityTypeBuilder<PolicyVersion> builder)
    {
        builder.HasKey(p => p.Version);
        builder.Property(p => p.Version).ValueGeneratedNever();
        builder.Property(p => p.Reason).HasMaxLength(1000);
        builder.HasIndex(p => p.EffectiveFrom);
    }
}

internal sealed class PromptConfiguration : IEntityTypeConfiguration<Prompt>
{
    public void Configure(EntityTypeBuilder<Prompt> builder)
    {
        builder.Property(p => p.DeviceId).HasMaxLength(64);
        builder.Property(p => p.Version).IsRowVersion();
        // Scheduling is idempotent: a prompt is identified by its subject and time.
        builder.HasIndex(p => new { p.SubjectId, p.DueAt }).IsUnique();
        builder.HasIndex(p => new { p.DeviceId, p.DueAt });
        // Ingestion finds the open prompt a check-in answers.
        builder.HasIndex(p => new { p.SubjectId, p.DueAt }, "pending_by_subject").HasDatabaseName("ix_prompts_pending_subject_id_due_at").HasFilter("status = 'Pending'");
        // The missed-prompt timer scans pending prompts by window end.
        builder.HasIndex(p => p.WindowEndsAt).HasFilter("status = 'Pending'");
        builder.HasOne<Subject>().WithMany().HasForeignKey(p => p.SubjectId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CheckInConfiguration : IEntityTypeConfiguration<CheckIn>
{
    public void Configure(EntityTypeBuilder<CheckIn> builder)
    {
        builder.Property(c => c.DeviceId).HasMaxLength(64);
        builder.Property(c => c.Location).HasColumnType("geography (point, 4326)");
        builder.HasIndex(c => c.EventId).IsUnique();
        builder.HasIndex(c => new { c.SubjectId, c.CapturedAt });
        builder.HasIndex(c => c.CapturedAt);
        builder.HasIndex(c => c.PromptId);
        builder.HasOne<Subject>().WithMany().HasForeignKey(c => c.SubjectId).OnDelete(DeleteBehavior.Restrict);
        // No foreign key to policy_versions: every check-in would lock the one current version row
        // (FOR KEY SHARE), which serializes ingestion; versions are append-only and never deleted.
        builder.HasIndex(c => c.PolicyVersion);
        builder.HasOne<Photo>().WithMany().HasForeignKey(c => c.PhotoId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class ReviewConfiguration : IEntityTypeConfiguration<Review>
{
    public void Configure(EntityTypeBuilder<Review> builder)
    {
        builder.Property(r => r.Reason).HasMaxLength(2000);
        builder.Property(r => r.Version).IsRowVersion();
        builder.HasIndex(r => r.CheckInId).IsUnique();
        // The queue: undecided reviews, oldest first.
        builder.HasIndex(r => new { r.SubjectId, r.CreatedAt }).HasFilter("decision IS NULL");
        builder.HasIndex(r => r.CreatedAt).HasFilter("decision IS NULL");
        builder.HasOne<CheckIn>().WithMany().HasForeignKey(r => r.CheckInId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class LocationPingConfiguration : IEntityTypeConfiguration<LocationPing>
{
    public void Configure(EntityTypeBuilder<LocationPing> builder)
    {
        // Partitioned by day: created by hand-written SQL in the migrations, not by EF Core.
        builder.ToTable("location_pings", t => t.ExcludeFromMigrations());
        builder.HasKey(p => new { p.DeviceId, p.At });
        builder.Property(p => p.Location).HasColumnType("geography (point, 4326)");
    }
}

internal sealed class DeviceEventConfiguration : IEntityTypeConfiguration<DeviceEvent>
{
    public void Configure(EntityTypeBuilder<DeviceEvent> builder)
    {
        builder.Property(e => e.DeviceId).HasMaxLength(64);
        builder.Property(e => e.Detail).HasMaxLength(1000);
        builder.HasIndex(e => e.EventId).IsUnique();
        builder.HasIndex(e => new { e.SubjectId, e.At });
        builder.HasOne<Subject>().WithMany().HasForeignKey(e => e.SubjectId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> builder)
    {
        builder.Property(a => a.EpisodeKey).HasMaxLength(200);
        builder.Property(a => a.Summary).HasMaxLength(500);
        builder.Property(a => a.DismissReason).HasMaxLength(2000);
        builder.Property(a => a.ReasonableExcuse).HasMaxLength(2000);
        builder.Property(a => a.ClosedReason).HasMaxLength(500);
        builder.Property(a => a.Occurrences).HasDefaultValue(1);
        builder.HasIndex(a => a.IncidentId);
        builder.HasIndex(a => new { a.Kind, a.RaisedAt });
        builder.Property(a => a.Location).HasColumnType("geography (point, 4326)");
        builder.Property(a => a.Version).IsRowVersion();
        // One alert per subject, kind and episode, whatever the number of app instances.
        builder.HasIndex(a => new { a.SubjectId, a.Kind, a.EpisodeKey }).IsUnique();
        builder.HasIndex(a => new { a.State, a.RaisedAt });
        builder.HasIndex(a => new { a.SubjectId, a.RaisedAt });
        builder.HasOne<Subject>().WithMany().HasForeignKey(a => a.SubjectId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class BreachConfiguration : IEntityTypeConfiguration<Breach>
{
    public void Configure(EntityTypeBuilder<Breach> builder)
    {
        builder.Property(b => b.Number).HasMaxLength(32);
        builder.Property(b => b.Summary).HasMaxLength(4000);
        builder.Property(b => b.DecisionReason).HasMaxLength(4000);
        builder.Property(b => b.Version).IsRowVersion();
        builder.HasIndex(b => b.Number).IsUnique();
        builder.HasIndex(b => new { b.SubjectId, b.ProposedAt });
        builder.HasIndex(b => new { b.State, b.ProposedAt });
        builder.HasOne<Subject>().WithMany().HasForeignKey(b => b.SubjectId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class BreachAlertConfiguration : IEntityTypeConfiguration<BreachAlert>
{
    public void Configure(EntityTypeBuilder<BreachAlert> builder)
    {
        builder.HasKey(b => new { b.BreachId, b.AlertId });
        builder.HasIndex(b => b.AlertId);
        builder.HasOne<Breach>().WithMany().HasForeignKey(b => b.BreachId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Alert>().WithMany().HasForeignKey(b => b.AlertId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class NoteConfiguration : IEntityTypeConfiguration<Note>
{
    public void Configure(EntityTypeBuilder<Note> builder)
    {
        builder.Property(n => n.Text).HasMaxLength(8000);
        builder.Property(n => n.Version).IsRowVersion();
        builder.HasIndex(n => new { n.SubjectId, n.At });
        builder.HasIndex(n => n.BreachId);
    }
}

internal sealed class AbsenceConfiguration : IEntityTypeConfiguration<Absence>
{
    public void Configure(EntityTypeBuilder<Absence> builder)
    {
        builder.Property(a => a.Reason).HasMaxLength(1000);
        builder.HasIndex(a => new { a.SubjectId, a.From });
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.Property(a => a.Id).UseIdentityAlwaysColumn();
        builder.Property(a => a.ActorName).HasMaxLength(120);
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.EntityType).HasMaxLength(64);
        builder.Property(a => a.EntityId).HasMaxLength(64);
        builder.HasIndex(a => a.At);
        builder.HasIndex(a => new { a.SubjectId, a.At });
        builder.HasIndex(a => new { a.ActorId, a.At });
        builder.HasIndex(a => new { a.EntityType, a.EntityId });
    }
}

internal sealed class ReportExportConfiguration : IEntityTypeConfiguration<ReportExport>
{
    public void Configure(EntityTypeBuilder<ReportExport> builder)
    {
        builder.Property(r => r.ReportNumber).HasMaxLength(40);
        builder.Property(r => r.Sha256).HasMaxLength(64);
        builder.HasIndex(r => r.Sha256);
        builder.HasIndex(r => r.BreachId);
    }
}

internal sealed class IngestClientConfiguration : IEntityTypeConfiguration<IngestClient>
{
    public void Configure(EntityTypeBuilder<IngestClient> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.KeyPrefix).HasMaxLength(16);
        builder.HasIndex(c => c.KeyPrefix);
    }
}

internal sealed class DeviceIncidentConfiguration : IEntityTypeConfiguration<DeviceIncident>
{
    public void Configure(EntityTypeBuilder<DeviceIncident> builder)
    {
        builder.Property(i => i.DeviceId).HasMaxLength(64);
        builder.Property(i => i.CloseSummary).HasMaxLength(500);
        // At most one open incident per device, whatever the number of app instances.
        builder.HasIndex(i => i.DeviceId).IsUnique().HasFilter("closed_at IS NULL");
        builder.HasIndex(i => new { i.SubjectId, i.StartedAt });
        builder.HasOne<Subject>().WithMany().HasForeignKey(i => i.SubjectId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ZonePresenceConfiguration : IEntityTypeConfiguration<ZonePresence>
{
    public void Configure(EntityTypeBuilder<ZonePresence> builder)
    {
        builder.HasKey(z => z.ZoneId);
        builder.HasIndex(z => z.SubjectId);
        builder.HasOne<Zone>().WithOne().HasForeignKey<ZonePresence>(z => z.ZoneId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ThresholdProposalConfiguration : IEntityTypeConfiguration<ThresholdProposal>
{
    public void Configure(EntityTypeBuilder<ThresholdProposal> builder)
    {
        builder.Property(p => p.Reason).HasMaxLength(2000);
        builder.Property(p => p.DecisionReason).HasMaxLength(2000);
        builder.Property(p => p.ReplaySummary).HasColumnType("jsonb");
        builder.Property(p => p.Version).IsRowVersion();
        builder.HasIndex(p => new { p.State, p.ProposedAt });
    }
}

internal sealed class MonitoringReviewConfiguration : IEntityTypeConfiguration<MonitoringReview>
{
    public void Configure(EntityTypeBuilder<MonitoringReview> builder)
    {
        builder.Property(r => r.Conditions).HasColumnType("jsonb");
        builder.Property(r => r.FrequencyNote).HasMaxLength(2000);
        builder.Property(r => r.Representations).HasMaxLength(8000);
        builder.Property(r => r.Reasons).HasMaxLength(4000);
        builder.HasIndex(r => new { r.SubjectId, r.ReviewedAt });
        builder.HasOne<Subject>().WithMany().HasForeignKey(r => r.SubjectId).OnDelete(DeleteBehavior.Restrict);
    }
}
