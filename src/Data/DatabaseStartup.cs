using System.Text.RegularExpressions;
using Npgsql;

namespace Dashboard.Data;

/// <summary>Where the dashboard's database comes from.</summary>
public enum DatabaseSourceKind
{
    /// <summary>The configured <c>ConnectionStrings:Dashboard</c>; nothing is started.</summary>
    Configured,
    /// <summary>A private PostgreSQL cluster in a folder of the checkout (Development only).</summary>
    Embedded,
}

/// <summary>
/// The two database logins: the schema owner, who migrates and grants, and the runtime role the app
/// serves requests with (data only: no DDL, and no UPDATE, DELETE or TRUNCATE of the audit log).
/// <paramref name="Owner"/> is null when the app was given the runtime login only.
/// </summary>
public sealed record DatabaseLogins(string Runtime, string? Owner)
{
    public string RuntimeRole => new NpgsqlConnectionStringBuilder(Runtime).Username ?? "";

    /// <summary>True when owner and runtime are different logins, so the runtime's rights can be narrowed.</summary>
    public bool SeparateRuntimeRole =>
        Owner is not null && !string.Equals(new NpgsqlConnectionStringBuilder(Owner).Username, RuntimeRole, StringComparison.Ordinal);
}

public static partial class DatabaseStartup
{
    public const string ConnectionStringName = "Dashboard";

    /// <summary>The schema owner's connection string: migrations, grants and partition upkeep.</summary>
    public const string MigrationsConnectionStringName = "DashboardMigrations";

    /// <summary>The runtime login the embedded database (and the test fixtures) use.</summary>
    public const string DefaultRuntimeRole = "dashboard_app";

    public const string MissingConnectionStringMessage =
        "ConnectionStrings:Dashboard is not set. Outside the Development environment the dashboard needs a " +
        "PostgreSQL 15+ database with PostGIS: set ConnectionStrings__Dashboard (for example " +
        "\"Host=db.internal;Database=dashboard;Username=dashboard_app;Password=...\"). The embedded database is " +
        "only started in Development.";

    /// <summary>
    /// With a connection string the dashboard uses it and starts nothing; without one it starts its own
    /// database in Development and refuses to start anywhere else.
    /// </summary>
    public static DatabaseSourceKind Decide(string? connectionString, bool isDevelopment)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return DatabaseSourceKind.Configured;
        }

        return isDevelopment
            ? DatabaseSourceKind.Embedded
            : throw new InvalidOperationException(MissingConnectionStringMessage);
    }

    /// <summary>The owner's connection with the runtime login instead (for the embedded database, trusted on its socket).</summary>
    public static string RuntimeConnectionFor(string ownerConnectionString, string role = DefaultRuntimeRole) =>
        new NpgsqlConnectionStringBuilder(ownerConnectionString) { Username = ValidRoleName(role), Password = null }.ConnectionString;

    /// <summary>Role names go into GRANT statements, which take no parameters: only plain names are accepted.</summary>
    public static string ValidRoleName(string role) =>
        RoleName().IsMatch(role ?? "")
            ? role!
            : throw new InvalidOperationException($"The database login '{role}' is not a plain role name (lower-case letters, digits and _).");

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex RoleName();
}
