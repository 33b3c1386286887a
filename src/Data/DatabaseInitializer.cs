using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Ingestion;
using Dashboard.Simulator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dashboard.Data;

/// <summary>
/// Runs before the app serves requests: applies migrations as the schema owner (Development, or the
/// explicit <c>migrate</c> command), grants the runtime login its rights, makes sure today's location
/// partitions and the first policy version exist, and seeds the demo service when asked.
/// </summary>
public sealed class DatabaseInitializer(
    IDbContextFactory<DashboardDb> dbFactory,
    DatabaseLogins logins,
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
        else
        {
            // Grants are idempotent and cheap: re-applying them at every start keeps them right after a deploy.
            await GrantRuntimeRoleAsync(cancellationToken);
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
        // Migrations are DDL: they run as the schema owner when one is configured.
        var dataSourceBuilder = new NpgsqlDataSourceBuilder(logins.Owner ?? logins.Runtime);
        dataSourceBuilder.UseNetTopologySuite();
        await using var dataSource = dataSourceBuilder.Build();
        var dbOptions = new DbContextOptionsBuilder<DashboardDb>();
        DataSetup.Configure(dbOptions, dataSource);
        await using (var db = new DashboardDb(dbOptions.Options))
        {
            // EF Core logs an error when it first reads a history table that is not there yet; an empty
            // database is not an error, so create the (standard) table first.
            await db.Database.ExecuteSqlRawAsync(
                "CREATE TABLE IF NOT EXISTS __ef_migrations_history (migration_id character varying(150) NOT NULL PRIMARY KEY, product_version character varying(32) NOT NULL)",
                ct);
            await db.Database.MigrateAsync(ct);
            var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).ToList();
            logger.LogInformation("Database schema at migration {Migration}", applied.LastOrDefault());
        }

        await GrantRuntimeRoleAsync(ct);
    }

    /// <summary>
    /// As the owner: creates the runtime login if it is missing (without a password: production creates it
    /// with one) and gives it data rights only: every table read and written, except that the audit log
    /// can only be read and appended to. No DDL: location partitions are made by a function that runs
    /// with the owner's rights. Without a separate owner login there is nothing to narrow.
    /// </summary>
    public async Task GrantRuntimeRoleAsync(CancellationToken ct)
    {
        if (!logins.SeparateRuntimeRole)
        {
            if (!environment.IsDevelopment())
            {
                logger.LogWarning(
                    "The dashboard connects as the schema owner: set ConnectionStrings:DashboardMigrations to the owner and " +
                    "ConnectionStrings:Dashboard to a runtime login, so that the audit log cannot be changed by the app's own login");
            }

            return;
        }

        var role = DatabaseStartup.ValidRoleName(logins.RuntimeRole);
        await using var connection = new NpgsqlConnection(logins.Owner);
        await connection.OpenAsync(ct);
        await CreateRoleIfMissingAsync(connection, role, ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // One start at a time per database; the role name is checked to be a plain identifier above.
        await using (var grant = new NpgsqlCommand(RuntimeGrants.Replace("{role}", role, StringComparison.Ordinal), connection, tx))
        {
            await grant.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        logger.LogInformation("Runtime database login {Role}: data rights granted, audit log append-only", role);
    }

    private static async Task CreateRoleIfMissingAsync(NpgsqlConnection connection, string role, CancellationToken ct)
    {
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = $1", connection);
        exists.Parameters.AddWithValue(role);
        if (await exists.ExecuteScalarAsync(ct) is not null)
        {
            return;
        }

        try
        {
            await using var create = new NpgsqlCommand($"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
        {
            // Another instance (or database of the same cluster) created it a moment ago.
        }
    }

    /// <summary>
    /// The runtime login's rights, re-applied in full each time so that a later migration's new tables are
    /// covered. Revokes come after the grants so the audit log ends append-only whatever was granted before.
    /// </summary>
    private const string RuntimeGrants = """
        SELECT pg_advisory_xact_lock(7270012);
        -- Location retention drops partitions under this lock: granting on all tables must not meet one half-dropped.
        SELECT pg_advisory_xact_lock(7270011);
        GRANT USAGE ON SCHEMA public TO {role};
        REVOKE CREATE ON SCHEMA public FROM {role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
        REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events FROM {role};
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON __ef_migrations_history FROM {role};
        -- Late fixes need a partition for their day: the function creates it with its owner's rights.
        ALTER FUNCTION ensure_location_partitions(date, date) SECURITY DEFINER SET search_path = public, pg_temp;
        REVOKE ALL ON FUNCTION ensure_location_partitions(date, date) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION ensure_location_partitions(date, date) TO {role};
        """;

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
