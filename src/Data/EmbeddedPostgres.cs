using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Dashboard.Data;

/// <summary>
/// A private PostgreSQL cluster for development: initialised once in <c>.pgdata/</c> of the checkout,
/// listening only on a unix socket in that folder, started with the app and stopped when it stops.
/// </summary>
public sealed class EmbeddedPostgres(string contentRoot, ILogger logger) : IDisposable
{
    private const int Port = 5432;
    private const string DatabaseName = "dashboard";
    private bool _startedByUs;
    private PostgresBinaries? _binaries;
    private string? _clusterDir;

    public string? ConnectionString { get; private set; }

    /// <summary>Starts (or reuses) the cluster and returns a connection string to the dashboard database.</summary>
    public string Start()
    {
        var binaries = PostgresBinaries.Find()
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin. " +
                "Install them with: sudo apt-get install postgresql-15 postgresql-15-postgis-3 " +
                "(or run ./scripts/run.sh, which installs what is missing).");
        if (!binaries.HasPostGis())
        {
            throw new InvalidOperationException(
                $"PostGIS is not installed for PostgreSQL {binaries.MajorVersion}. Install it with: " +
                $"sudo apt-get install postgresql-{binaries.MajorVersion}-postgis-3 (or run ./scripts/run.sh).");
        }

        _binaries = binaries;
        _clusterDir = ChooseClusterDir(contentRoot);
        var dataDir = Path.Combine(_clusterDir, "data");
        Directory.CreateDirectory(_clusterDir);
        if (Environment.IsPrivilegedProcess)
        {
            // PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
            Run("chown", ["-R", "postgres:postgres", _clusterDir], asPostgres: false);
        }

        if (!File.Exists(Path.Combine(dataDir, "PG_VERSION")))
        {
            logger.LogInformation("Initialising the embedded PostgreSQL cluster in {Dir}", dataDir);
            Run(binaries.InitDb, ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], asPostgres: true);
        }

        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = _clusterDir,
            Port = Port,
            Username = "postgres",
            Database = "postgres",
            Pooling = false,
            Timeout = 5,
        };
        var running = Run(binaries.PgCtl, ["-D", dataDir, "status"], asPostgres: true, throwOnError: false) == 0;
        if (running && !Answers(admin.ConnectionString))
        {
            // postmaster.pid names a process that is not our server (a reused pid after a crash).
            logger.LogWarning("The embedded PostgreSQL's pid file is stale; starting it afresh");
            File.Delete(Path.Combine(dataDir, "postmaster.pid"));
            running = false;
        }

        if (!running)
        {
            var options = string.Create(
                CultureInfo.InvariantCulture,
                $"-p {Port} -c listen_addresses= -c \"unix_socket_directories={_clusterDir}\" -c max_connections=200");
            Run(binaries.PgCtl, ["-D", dataDir, "-l", Path.Combine(_clusterDir, "postgres.log"), "-w", "-t", "60", "-o", options, "start"], asPostgres: true);
            _startedByUs = true;
            logger.LogInformation("Started the embedded PostgreSQL {Version} (socket in {Dir})", binaries.MajorVersion, _clusterDir);
        }
        else
        {
            logger.LogInformation("Using the embedded PostgreSQL already running in {Dir}", _clusterDir);
        }

        // A cluster in our folder is ours to stop, whoever started it.
        _startedByUs = true;
        EnsureDatabase(admin.ConnectionString);
        admin.Database = DatabaseName;
        admin.Pooling = true;
        admin.MaxPoolSize = 60;
        ConnectionString = admin.ConnectionString;
        return ConnectionString;
    }

    public void Stop()
    {
        if (!_startedByUs || _binaries is null || _clusterDir is null)
        {
            return;
        }

        _startedByUs = false;
        NpgsqlConnection.ClearAllPools();
        Run(_binaries.PgCtl, ["-D", Path.Combine(_clusterDir, "data"), "-m", "fast", "-w", "stop"], asPostgres: true, throwOnError: false);
        logger.LogInformation("Stopped the embedded PostgreSQL");
    }

    public void Dispose() => Stop();

    private static bool Answers(string connectionString)
    {
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private static void EnsureDatabase(string adminConnectionString)
    {
        using var connection = new NpgsqlConnection(adminConnectionString);
        connection.Open();
        using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.AddWithValue(DatabaseName);
            if (exists.ExecuteScalar() is not null)
            {
                return;
            }
        }

        // The name is a constant of this class, never input.
        using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
        create.ExecuteNonQuery();
    }

    /// <summary>
    /// The cluster lives in <c>.pgdata/</c> of the checkout. When the postgres user cannot reach that
    /// folder (a checkout under /root, say), it lives in a folder of that user named after the checkout.
    /// </summary>
    private static string ChooseClusterDir(string contentRoot)
    {
        var inCheckout = Path.Combine(Path.GetFullPath(contentRoot), ".pgdata");
        // A unix socket path holds at most 107 bytes: a deep checkout gets a short folder instead.
        var socketFits = Encoding.UTF8.GetByteCount(Path.Combine(inCheckout, ".s.PGSQL.5432")) <= 100;
        if (socketFits && (!Environment.IsPrivilegedProcess || PostgresUserCanReach(Path.GetFullPath(contentRoot))))
        {
            return inCheckout;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(inCheckout)))[..12];
        return Environment.IsPrivilegedProcess
            ? Path.Combine("/var/lib/postgresql", "dashboard-" + hash)
            : Path.Combine(Path.GetTempPath(), "dashboard-pg-" + hash);
    }

    private static bool PostgresUserCanReach(string dir)
    {
        using var process = Process.Start(new ProcessStartInfo("runuser", ["-u", "postgres", "--", "test", "-x", dir])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        });
        process?.WaitForExit();
        return process?.ExitCode == 0;
    }

    private int Run(string file, IReadOnlyList<string> args, bool asPostgres, bool throwOnError = true)
    {
        var start = asPostgres && Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args])
            : new ProcessStartInfo(file, args);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        // postgres must not inherit a working directory it cannot read.
        start.WorkingDirectory = "/";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(file)} did not finish within 90 seconds.");
        }

        if (process.ExitCode != 0 && throwOnError)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} {string.Join(' ', args)} failed with exit code {process.ExitCode}: {stderr.Result}{stdout.Result}");
        }

        if (process.ExitCode != 0)
        {
            logger.LogDebug("{File} exited with {Code}", Path.GetFileName(file), process.ExitCode);
        }

        return process.ExitCode;
    }
}

/// <summary>The PostgreSQL server binaries of this machine.</summary>
public sealed record PostgresBinaries(string BinDir, int MajorVersion)
{
    public string InitDb => Path.Combine(BinDir, "initdb");
    public string PgCtl => Path.Combine(BinDir, "pg_ctl");

    /// <summary>initdb and pg_ctl on PATH first, else the newest /usr/lib/postgresql/N/bin.</summary>
    public static PostgresBinaries? Find(string? path = null, string versionsRoot = "/usr/lib/postgresql")
    {
        foreach (var dir in (path ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                return new PostgresBinaries(dir, ReadMajorVersion(dir));
            }
        }

        if (!Directory.Exists(versionsRoot))
        {
            return null;
        }

        return Directory.GetDirectories(versionsRoot)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
            .Where(c => c.Version > 0 && File.Exists(Path.Combine(c.Dir, "initdb")) && File.Exists(Path.Combine(c.Dir, "pg_ctl")))
            .OrderByDescending(c => c.Version)
            .Select(c => new PostgresBinaries(c.Dir, c.Version))
            .FirstOrDefault();
    }

    public bool HasPostGis() =>
        Directory.Exists($"/usr/share/postgresql/{MajorVersion}/extension")
            ? File.Exists($"/usr/share/postgresql/{MajorVersion}/extension/postgis.control")
            : File.Exists(Path.Combine(ShareDir(), "extension", "postgis.control"));

    private string ShareDir()
    {
        var pgConfig = Path.Combine(BinDir, "pg_config");
        if (!File.Exists(pgConfig))
        {
            return "";
        }

        using var process = Process.Start(new ProcessStartInfo(pgConfig, ["--sharedir"]) { RedirectStandardOutput = true });
        var output = process?.StandardOutput.ReadToEnd().Trim() ?? "";
        process?.WaitForExit();
        return output;
    }

    private static int ReadMajorVersion(string binDir)
    {
        // /usr/lib/postgresql/15/bin -> 15; otherwise ask initdb.
        if (int.TryParse(Path.GetFileName(Path.GetDirectoryName(binDir)), NumberStyles.None, CultureInfo.InvariantCulture, out var fromPath))
        {
            return fromPath;
        }

        using var process = Process.Start(new ProcessStartInfo(Path.Combine(binDir, "initdb"), ["--version"]) { RedirectStandardOutput = true });
        var text = process?.StandardOutput.ReadToEnd() ?? "";
        process?.WaitForExit();
        var digits = new string(text.SkipWhile(c => !char.IsDigit(c)).TakeWhile(char.IsDigit).ToArray());
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }
}
