using Dashboard.Data.Entities;
using Dashboard.Domain;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Data;

public sealed class DashboardDb(DbContextOptions<DashboardDb> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<StaffMember> Staff => Set<StaffMember>();
    public DbSet<Subject> Subjects => Set<Subject>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<Photo> Photos => Set<Photo>();
    public DbSet<Zone> Zones => Set<Zone>();
    public DbSet<PolicyVersion> PolicyVersions => Set<PolicyVersion>();
    public DbSet<Prompt> Prompts => Set<Prompt>();
    public DbSet<CheckIn> CheckIns => Set<CheckIn>();
    public DbSet<Review> Reviews => Set<Review>();
    public DbSet<LocationPing> LocationPings => Set<LocationPing>();
    public DbSet<DeviceEvent> DeviceEvents => Set<DeviceEvent>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<Breach> Breaches => Set<Breach>();
    public DbSet<BreachAlert> BreachAlerts => Set<BreachAlert>();
    public DbSet<Note> Notes => Set<Note>();
    public DbSet<Absence> Absences => Set<Absence>();
    public DbSet<DeviceIncident> DeviceIncidents => Set<DeviceIncident>();
    public DbSet<ZonePresence> ZonePresences => Set<ZonePresence>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<ReportExport> ReportExports => Set<ReportExport>();
    public DbSet<IngestClient> IngestClients => Set<IngestClient>();
    public DbSet<ThresholdProposal> ThresholdProposals => Set<ThresholdProposal>();
    public DbSet<MonitoringReview> MonitoringReviews => Set<MonitoringReview>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // Enums are stored as their names: the database reads the same as the screen and survives reordering.
        configurationBuilder.Properties<StaffRole>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<CheckInOutcome>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<ReviewDecision>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<PromptStatus>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<PromptOrigin>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<ZoneKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<DeviceEventKind>().HaveConversion<string>().HaveMaxLength(24);
        configurationBuilder.Properties<AlertKind>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<AlertState>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<BreachState>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<PhotoKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<ProposalState>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<MonitoringReviewOutcome>().HaveConversion<string>().HaveMaxLength(16);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.HasPostgresExtension("postgis");
        // Breach numbers (B-2026-000123) come from a sequence: unique and gap-tolerant across instances.
        modelBuilder.HasSequence<long>("breach_numbers");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(DashboardDb).Assembly);
    }
}
