using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dashboard.Testing;

namespace Dashboard.Benchmarks;

/// <summary>
/// The built app as a process of its own (dotnet Dashboard.dll), so that its CPU time and memory can be read
/// apart from the load generator's and the browser's.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public string Output => string.Join('\n', _output);

    /// <summary>The demo ingest key, created when the demo service is seeded in Development.</summary>
    public const string DemoKey = "dk_demokey1_localdevelopmentonlynotasecret";

    public static async Task<AppProcess> StartAsync(string connectionString, IDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // The app's build output of the benchmark's own configuration (Release under bench.sh).
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!);
        var dll = Path.Combine(Repository.Root, "bin", configuration, "net10.0", "Dashboard.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the app first: {dll} is missing.");
        }

        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repository.Root,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(dll);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_URLS"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        info.Environment["ConnectionStrings__Dashboard"] = connectionString;
        info.Environment["Database__Migrate"] = "false";
        info.Environment["Database__SeedDemo"] = "true";
        info.Environment["Simulator__Enabled"] = "false";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("The app did not start.");
        var app = new AppProcess(process, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")));
        try
        {
            await app.WaitUntilReadyAsync(TimeSpan.FromSeconds(180));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with {_process.ExitCode} while starting:\n{Output}");
            }

            try
            {
                if ((await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or busy starting.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The app was not ready within {timeout.TotalSeconds} s:\n{Output}");
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }

    /// <summary>Ends the app at once; safe to call from a process-exit handler.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
