using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Ingestion;
using Dashboard.Simulator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dashboard.Data;

/// <summary>
/// Runs before the app serves requests: applies migrations (Development, or the explicit
/// <c>migrate</c> command), makes sure today's location partitions and the first policy version exist,
/// and seeds the demo service when asked.
/// </summary>
public sealed class DatabaseInitializer(
    IDbContextFactory<DashboardDb> dbFactory,
    IOptions<DatabaseOptions> options,
    IOptions<MatchingOptions> matching,
    DemoSeeder seeder,
    LocationPartitions partitions,
    IngestKeys ingestKeys,
    IOptions<IngestionOptions> ingestion,
    IHostEnvironment environment,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Migrate == true)
        {
            await MigrateAsync(cancellationToken);
        }

        await partitions.EnsureAroundTodayAsync(cancellationToken);
        await EnsureFirstPolicyAsync(cancellationToken);
        if (options.Value.SeedDemo == true)
        {
            await seeder.SeedAsync(cancellationToken);
        }

        if (!string.IsNullOrEmpty(ingestion.Value.DemoKey) && environment.IsDevelopment() && options.Value.SeedDemo == true)
        {
            // The README's curl examples and the simulator use this key (Development settings only).
            await ingestKeys.CreateAsync("Demo device platform", ingestion.Value.DemoKey, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // EF Core logs an error when it first reads a history table that is not there yet; an empty
        // database is not an error, so create the (standard) table first.
        await db.Database.ExecuteSqlRawAsync(
            "CREATE TABLE IF NOT EXISTS __ef_migrations_history (migration_id character varying(150) NOT NULL PRIMARY KEY, product_version character varying(32) NOT NULL)",
            ct);
        await db.Database.MigrateAsync(ct);
        var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).ToList();
        logger.LogInformation("Database schema at migration {Migration}", applied.LastOrDefault());
    }

    private async Task EnsureFirstPolicyAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.PolicyVersions.AnyAsync(ct))
        {
            return;
        }

        var m = matching.Value;
        db.PolicyVersions.Add(new PolicyVersion
        {
            Version = 1,
            AcceptMatch = m.AcceptMatch,
            RejectMatch = m.RejectMatch,
            AcceptLiveness = m.AcceptLiveness,
            RejectLiveness = m.RejectLiveness,
            EffectiveFrom = DateTimeOffset.UnixEpoch,
            Reason = "First version, from the Matching configuration section.",
            CreatedAt = DateTimeOffset.UtcNow,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another instance wrote it first: that is the same first version.
        }
    }
}
