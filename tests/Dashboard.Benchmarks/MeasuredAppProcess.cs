using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dashboard.Data;
using Dashboard.Testing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace Dashboard.Benchmarks;

/// <summary>
/// The app as production runs it: its own process (<c>dotnet Dashboard.dll</c> with the app's own
/// runtimeconfig, so its GC settings apply), on a free loopback port, against a migrated database.
/// Memory readings are of that process alone: the benchmark's Playwright client and test host are
/// elsewhere. Full collections are induced from outside through the runtime's diagnostics port (as
/// dotnet-gcdump does), so the app carries no benchmark hook.
/// </summary>
internal sealed class MeasuredAppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private MeasuredAppProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int Id => _process.Id;

    public static async Task<MeasuredAppProcess> StartAsync(string connectionString, bool seedDemo, IDictionary<string, string?>? settings = null)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "Dashboard.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        foreach (var arg in (string[])[dll, "--contentRoot", Repository.Root])
        {
            start.ArgumentList.Add(arg);
        }

        // The same settings the in-process test host gives the app (DashboardApp).
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        start.Environment["ConnectionStrings__Dashboard"] = DatabaseStartup.RuntimeConnectionFor(connectionString);
        start.Environment["ConnectionStrings__DashboardMigrations"] = connectionString;
        start.Environment["Database__Migrate"] = "false";
        start.Environment["Database__SeedDemo"] = seedDemo ? "true" : "false";
        start.Environment["Simulator__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        // Experiments with runtime knobs without rebuilding: DASHBOARD_APP_DOTNET_gcServer=0 reaches the app as DOTNET_gcServer=0.
        foreach (var key in Environment.GetEnvironmentVariables().Keys.OfType<string>().Where(k => k.StartsWith("DASHBOARD_APP_", StringComparison.Ordinal)))
        {
            start.Environment[key["DASHBOARD_APP_".Length..]] = Environment.GetEnvironmentVariable(key);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The app process did not start.");
        var app = new MeasuredAppProcess(process, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/")));
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return app;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (process.HasExited || waited.Elapsed > TimeSpan.FromMinutes(3))
            {
                await app.DisposeAsync();
                throw new InvalidOperationException($"The app process did not become ready: {app.Log()}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Induces a full blocking collection in the app (the runtime's GCHeapCollect, as a heap dump does)
    /// and returns the live managed bytes it reports after it (all generations, LOH and POH).
    /// </summary>
    public double CollectAndReadHeap()
    {
        const long gcKeyword = 0x1;
        const long gcHeapCollectKeyword = 0x800000;
        var client = new DiagnosticsClient(Id);
        var providers = new[] { new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, gcKeyword | gcHeapCollectKeyword) };
        using var session = client.StartEventPipeSession(providers, requestRundown: false, circularBufferMB: 16);
        using var source = new EventPipeEventSource(session.EventStream);
        var heap = double.NaN;
        var sawFullGc = false;
        source.Clr.GCStart += e => sawFullGc |= e.Depth == 2;
        source.Clr.GCHeapStats += e =>
        {
            if (sawFullGc)
            {
                // Bytes that survived the full collection (live objects), without free space between them.
                heap = e.TotalPromotedSize0 + e.TotalPromotedSize1 + e.TotalPromotedSize2 + e.TotalPromotedSize3 + e.TotalPromotedSize4;
                session.Stop();
            }
        };
        var reading = Task.Run(source.Process);
        if (!reading.Wait(TimeSpan.FromSeconds(30)))
        {
            session.Stop();
            reading.Wait(TimeSpan.FromSeconds(10));
        }

        return heap;
    }

    /// <summary>The process's resident memory (working set) and its parts, and its thread count, from /proc.</summary>
    public Resident ReadResident()
    {
        var status = File.ReadAllLines($"/proc/{Id}/status");
        double Value(string name) => status.Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)).FirstOrDefault();
        // Executable memory (JIT code, stubs) is double-mapped through a memfd: count it apart from the rest.
        double code = 0;
        var inCode = false;
        foreach (var line in File.ReadLines($"/proc/{Id}/smaps"))
        {
            var first = line.Split(' ', 2)[0];
            if (first.Contains('-', StringComparison.Ordinal) && first.Replace("-", "", StringComparison.Ordinal).All(char.IsAsciiHexDigit))
            {
                inCode = line.Contains("doublemapper", StringComparison.Ordinal);
            }
            else if (inCode && first == "Rss:")
            {
                code += double.Parse(line[4..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return new(Value("VmRSS") * 1024, Value("RssAnon") * 1024, code, (int)Value("Threads"));
    }

    public string Log()
    {
        lock (_log)
        {
            return _log.ToString().Trim();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Already gone, or will be with the benchmark.
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            if (line is not null && _log.Length < 16_000)
            {
                _log.AppendLine(line);
            }
        }
    }
}

/// <summary>Resident memory in bytes: total (working set), anonymous (heaps, stacks, buffers), executable (JIT code, stubs); threads.</summary>
internal sealed record Resident(double WorkingSet, double Anonymous, double Code, int Threads);
