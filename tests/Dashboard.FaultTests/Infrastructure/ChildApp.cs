using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dashboard.Testing;

namespace Dashboard.FaultTests.Infrastructure;

/// <summary>
/// The built app as a process of its own (dotnet Dashboard.dll), so that a test can send it real
/// signals (SIGTERM, SIGKILL) and time its exit.
/// </summary>
public sealed class ChildApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildApp(Process process, Uri baseAddress)
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

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the app wrote to the console (for failure messages).</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>The demo ingest key, created when the demo service is seeded in Development.</summary>
    public const string DemoKey = "dk_demokey1_localdevelopmentonlynotasecret";

    /// <summary>The app's build output of the same configuration as these tests (Debug or Release).</summary>
    private static string AppDll
    {
        get
        {
            var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!);
            var dll = Path.Combine(Repository.Root, "bin", configuration, "net10.0", "Dashboard.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the app first: {dll} is missing.");
        }
    }

    public static async Task<ChildApp> StartAsync(string connectionString, IDictionary<string, string>? settings = null)
    {
        var port = Processes.FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repository.Root,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(AppDll);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_URLS"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        info.Environment["ConnectionStrings__Dashboard"] = connectionString;
        info.Environment["Database__Migrate"] = "false";
        info.Environment["Database__SeedDemo"] = "true";
        info.Environment["Simulator__Enabled"] = "false";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("The app did not start.");
        var app = new ChildApp(process, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")));
        try
        {
            // Generous: a cold start seeds the demo service, and CI machines are shared.
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
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy starting.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The app was not ready within {timeout.TotalSeconds} s:\n{Output}");
    }

    /// <summary>Sends SIGTERM, as an orchestrator stopping the instance would.</summary>
    public Task TerminateAsync() => Processes.RunAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Sends SIGKILL: the instance dies at once, mid-work, as on a lost host.</summary>
    public Task KillAsync() => Processes.RunAsync("kill", ["-KILL", _process.Id.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Waits for the process to exit; false if it had not within the time.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 400 && _output.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
