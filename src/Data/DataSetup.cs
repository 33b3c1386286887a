using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Dashboard.Data;

public static class DataSetup
{
    /// <summary>
    /// Chooses the database (configured, or the embedded one in Development), registers the Npgsql data
    /// source, the DbContext factory, data-protection keys in the database, and the start-up initialiser.
    /// </summary>
    public static DatabaseSourceKind AddDashboardData(this WebApplicationBuilder builder, ILogger startupLogger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configured = builder.Configuration.GetConnectionString(DatabaseStartup.ConnectionStringName);
        var kind = DatabaseStartup.Decide(configured, builder.Environment.IsDevelopment());
        DatabaseLogins logins;
        if (kind == DatabaseSourceKind.Embedded)
        {
            var embedded = new EmbeddedPostgres(builder.Environment.ContentRootPath, startupLogger);
            var owner = embedded.Start();
            builder.Services.AddSingleton(embedded);
            builder.Services.AddHostedService<EmbeddedPostgresStopper>();
            // The embedded cluster's superuser owns the schema; the app serves requests as the runtime role.
            logins = new DatabaseLogins(DatabaseStartup.RuntimeConnectionFor(owner), owner);
        }
        else
        {
            var owner = builder.Configuration.GetConnectionString(DatabaseStartup.MigrationsConnectionStringName);
            logins = new DatabaseLogins(configured!, string.IsNullOrWhiteSpace(owner) ? null : owner);
        }

        builder.Services.AddSingleton(logins);
        var connectionString = logins.Runtime;

        var dataSourceBuilder = new NpgsqlDataSourceBuilder(connectionString);
        // Ingestion runs the same few statements thousands of times a second: let Npgsql prepare them.
        if (dataSourceBuilder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            dataSourceBuilder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            dataSourceBuilder.ConnectionStringBuilder.AutoPrepareMinUsages = 3;
        }

        dataSourceBuilder.UseNetTopologySuite();
        var dataSource = dataSourceBuilder.Build();
        builder.Services.AddSingleton(dataSource);
        builder.Services.AddDbContextFactory<DashboardDb>(options => Configure(options, dataSource));

        // Registered first: hosted services start in order, and later ones (data-protection keys among them) need the schema.
        builder.Services.AddSingleton<DatabaseInitializer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DatabaseInitializer>());

        var protection = builder.Services.AddDataProtection()
            .SetApplicationName("caseworker-dashboard")
            .PersistKeysToDbContext<DashboardDb>();
        // The keys protect sign-in cookies and live-channel tokens. With a certificate configured they are
        // stored encrypted, so a copy of the database alone cannot forge a session.
        if (builder.Configuration["DataProtection:CertificatePath"] is { Length: > 0 } certificatePath)
        {
            protection.ProtectKeysWithCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
                certificatePath, builder.Configuration["DataProtection:CertificatePassword"]));
        }
        else if (!builder.Environment.IsDevelopment())
        {
            startupLogger.LogWarning("DataProtection:CertificatePath is not set: the data-protection keys are stored unencrypted in the database");
        }

        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .PostConfigure(o =>
            {
                // The embedded default is the demo service: migrate, seed and simulate unless told otherwise.
                o.Migrate ??= builder.Environment.IsDevelopment();
                o.SeedDemo ??= kind == DatabaseSourceKind.Embedded;
            });
        builder.Services.AddSingleton(new DatabaseSource(kind));
        return kind;
    }

    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.UseNpgsql(dataSource, npgsql =>
            {
                npgsql.UseNetTopologySuite();
                npgsql.MigrationsHistoryTable("__ef_migrations_history");
            })
            .UseSnakeCaseNamingConvention();
    }
}

/// <summary>Which database this instance uses, for pages and health to tell.</summary>
public sealed record DatabaseSource(DatabaseSourceKind Kind);

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Apply migrations at start-up (default: in Development). In Production run <c>dotnet Dashboard.dll migrate</c>.</summary>
    public bool? Migrate { get; set; }

    /// <summary>Seed the demo service (default: with the embedded database).</summary>
    public bool? SeedDemo { get; set; }
}

/// <summary>Stops the embedded PostgreSQL once the app has stopped using it.</summary>
internal sealed class EmbeddedPostgresStopper(EmbeddedPostgres embedded) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        embedded.Stop();
        return Task.CompletedTask;
    }
}
