using Dashboard.Testing;
using Npgsql;

namespace Dashboard.FaultTests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster (with PostGIS) of this test's own, in a temporary folder, listening only on a
/// unix socket in that folder: the test may stop and start it at will without touching anyone else's
/// database. Removed on dispose.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private static readonly string Bin = Directory.GetDirectories("/usr/lib/postgresql")
        .Select(d => Path.Combine(d, "bin"))
        .Where(d => File.Exists(Path.Combine(d, "initdb")))
        .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
        .LastOrDefault() ?? throw new InvalidOperationException("No PostgreSQL binaries under /usr/lib/postgresql.");

    private PrivatePostgres(string folder) => Folder = folder;

    public string Folder { get; }

    private string DataFolder => Path.Combine(Folder, "data");

    public bool Running { get; private set; }

    public string ConnectionStringFor(string database, bool pooling = true) =>
        new NpgsqlConnectionStringBuilder { Host = Folder, Port = 5432, Username = "postgres", Database = database, Pooling = pooling }.ConnectionString;

    public static async Task<PrivatePostgres> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("dashboard-fault-pg-").FullName;
        var pg = new PrivatePostgres(folder);
        try
        {
            if (Processes.IsRoot)
            {
                await Processes.RunAsync("chown", ["postgres:postgres", folder]);
            }

            await Processes.RunAsync(Path.Combine(Bin, "initdb"),
                ["-D", pg.DataFolder, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], asPostgres: true);
            await pg.StartAgainAsync();
            // Databases created from template1 carry PostGIS, so the app's migrations need no superuser step.
            await Sql.ExecuteAsync(pg.ConnectionStringFor("template1", pooling: false), "CREATE EXTENSION IF NOT EXISTS postgis");
            return pg;
        }
        catch
        {
            await pg.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new database, migrated to the app's schema.</summary>
    public async Task<string> CreateMigratedDatabaseAsync(string name)
    {
        await Sql.ExecuteAsync(ConnectionStringFor("postgres", pooling: false), $"CREATE DATABASE \"{name}\"");
        var connectionString = ConnectionStringFor(name);
        await TestPostgres.MigrateAsync(connectionString);
        return connectionString;
    }

    /// <summary>Stops the cluster as a crash or an operator would: every connection is cut at once.</summary>
    public async Task StopAsync(string mode = "immediate")
    {
        await Processes.RunAsync(Path.Combine(Bin, "pg_ctl"), ["-D", DataFolder, "-m", mode, "-w", "stop"], asPostgres: true);
        Running = false;
    }

    public async Task StartAgainAsync()
    {
        await Processes.RunAsync(Path.Combine(Bin, "pg_ctl"),
            ["-D", DataFolder, "-l", Path.Combine(Folder, "postgres.log"), "-w", "-t", "60",
             "-o", $"-p 5432 -c listen_addresses= -c unix_socket_directories={Folder} -c max_connections=200", "start"],
            asPostgres: true);
        Running = true;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
        {
            try
            {
                await StopAsync();
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }
    }
}
