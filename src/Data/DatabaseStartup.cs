namespace Dashboard.Data;

/// <summary>Where the dashboard's database comes from.</summary>
public enum DatabaseSourceKind
{
    /// <summary>The configured <c>ConnectionStrings:Dashboard</c>; nothing is started.</summary>
    Configured,
    /// <summary>A private PostgreSQL cluster in a folder of the checkout (Development only).</summary>
    Embedded,
}

public static class DatabaseStartup
{
    public const string ConnectionStringName = "Dashboard";

    public const string MissingConnectionStringMessage =
        "ConnectionStrings:Dashboard is not set. Outside the Development environment the dashboard needs a " +
        "PostgreSQL 15+ database with PostGIS: set ConnectionStrings__Dashboard (for example " +
        "\"Host=db.internal;Database=dashboard;Username=dashboard;Password=...\"). The embedded database is " +
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
}
