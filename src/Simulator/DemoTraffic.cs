using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Ingestion;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dashboard.Simulator;

/// <summary>
/// Plays the device platform for the demo service: every device reports a fix every 15 seconds as its
/// wearer moves around London, and answers its prompts with a realistic mix (mostly verified, some
/// borderline, a few failed, the odd missed prompt), with the odd tamper and low-battery event. It goes
/// through the real ingestion API over HTTP, exactly as a partner would.
/// </summary>
public sealed class DemoTraffic(
    IServer server,
    IHostApplicationLifetime lifetime,
    IDbContextFactory<DashboardDb> dbFactory,
    IOptions<SimulatorOptions> options,
    IOptions<IngestionOptions> ingestion,
    DemoBackfill backfill,
    TimeProvider clock,
    ILogger<DemoTraffic> logger) : BackgroundService
{
    private sealed record SimulatedDevice(string DeviceId, int PersonSeed, Movement Movement);

    private sealed record PromptDto(Guid PromptId, string DeviceId, DateTimeOffset DueAt, DateTimeOffset WindowEndsAt, string Origin);

    private const int PhotoVariations = 6;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int Person, int Variation), byte[]> _photos = new();
    private readonly Dictionary<Guid, DateTimeOffset?> _answerAt = [];
    private readonly Dictionary<string, DateOnly> _lowBatteryReported = new(StringComparer.Ordinal);
    private readonly HashSet<string> _withoutGps = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        finally
        {
            backfill.Done();
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Enabled != true)
        {
            return;
        }

        var key = options.Value.IngestKey ?? ingestion.Value.DemoKey;
        if (string.IsNullOrEmpty(key))
        {
            logger.LogWarning("The simulator has no ingest key (Simulator:IngestKey or Ingestion:DemoKey) and does not run");
            return;
        }

        if (!await WaitForStartAsync(stoppingToken))
        {
            return;
        }

        using var http = new HttpClient { BaseAddress = BaseAddress(), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        List<SimulatedDevice> devices;
        try
        {
            devices = await LoadDevicesAsync(stoppingToken);
            logger.LogInformation("Simulating {Count} devices against {Url}", devices.Count, http.BaseAddress);
            await BackfillAsync(http, devices, stoppingToken);
            backfill.Done();
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Demo traffic is a convenience: its failure must never stop the dashboard.
            logger.LogWarning(ex, "The simulator could not start; the dashboard runs without demo traffic");
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.FixIntervalSeconds), clock);
        do
        {
            try
            {
                var now = clock.GetUtcNow();
                await SendFixesAsync(http, devices, now, stoppingToken);
                await AnswerPromptsAsync(http, devices, now, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Simulator round failed: {Message}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>
    /// A fresh demo starts with the last 24 hours of trails (a fix a minute) and today's earlier prompts
    /// answered, so the pages show a day in progress. Fixes already stored are counted as duplicates.
    /// </summary>
    private async Task BackfillAsync(HttpClient http, List<SimulatedDevice> devices, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var start = now.AddHours(-24);
        var batch = new List<object>(10_000);
        for (var t = start; t < now; t = t.AddMinutes(1))
        {
            foreach (var device in devices)
            {
                var fix = device.Movement.At(t);
                if (fix.HasGps)
                {
                    batch.Add(FixBody(device, t, fix));
                }
            }

            if (batch.Count >= 9_000)
            {
                using (var response = await http.PostAsJsonAsync("/api/v1/locations", batch, ct))
                {
                    response.EnsureSuccessStatusCode();
                }

                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            using var response = await http.PostAsJsonAsync("/api/v1/locations", batch, ct);
            response.EnsureSuccessStatusCode();
        }

        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var midnight = TimeZoneInfo.ConvertTimeToUtc(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, london).DateTime).ToDateTime(TimeOnly.MinValue), london);
        var from = Uri.EscapeDataString(midnight.ToString("O"));
        var to = Uri.EscapeDataString(now.ToString("O"));
        var byDevice = devices.ToDictionary(d => d.DeviceId, StringComparer.Ordinal);
        var due = new List<(SimulatedDevice Device, Guid PromptId, DateTimeOffset At)>();
        foreach (var prompt in await http.GetFromJsonAsync<List<PromptDto>>($"/api/v1/prompts?from={from}&to={to}", ct) ?? [])
        {
            if (AnswerTime(prompt) is { } at && at <= now && byDevice.TryGetValue(prompt.DeviceId, out var device))
            {
                _answerAt[prompt.PromptId] = null;
                due.Add((device, prompt.PromptId, at));
            }
        }

        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            async (item, token) => await PostCheckInAsync(http, item.Device, item.PromptId, item.At, token));

        logger.LogInformation("Simulator backfilled the last 24 hours of fixes and today's earlier prompts");
    }

    private async Task<bool> WaitForStartAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await Task.WhenAny(started.Task, Task.Delay(Timeout.Infinite, ct)).ConfigureAwait(false);
        return !ct.IsCancellationRequested;
    }

    private Uri BaseAddress()
    {
        if (!string.IsNullOrEmpty(options.Value.BaseUrl))
        {
            return new Uri(options.Value.BaseUrl);
        }

        return Hosting.OwnAddress.Loopback(server) ?? new Uri("http://127.0.0.1:5180");
    }

    private async Task<List<SimulatedDevice>> LoadDevicesAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Devices.AsNoTracking()
            .Where(d => d.Id.StartsWith("demo-"))
            .Join(db.Subjects, d => d.SubjectId, s => s.Id, (d, s) => new
            {
                d.Id,
                s.Home,
                Exclusion = db.Zones.Where(z => z.SubjectId == s.Id && z.Kind == ZoneKind.Exclusion).Select(z => new { z.Centre, z.RadiusM }).FirstOrDefault(),
            })
            .OrderBy(r => r.Id)
            .ToListAsync(ct);
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        return rows.Select(r =>
        {
            var seed = int.Parse(r.Id.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture);
            var exclusion = r.Exclusion?.Centre?.ToLatLon() ?? Geo.Offset(r.Home.ToLatLon(), 5000, 90);
            return new SimulatedDevice(r.Id, seed, new Movement(seed, r.Home.ToLatLon(), exclusion, r.Exclusion?.RadiusM ?? 250, london));
        }).ToList();
    }

    private async Task SendFixesAsync(HttpClient http, List<SimulatedDevice> devices, DateTimeOffset now, CancellationToken ct)
    {
        var fixes = new List<object>(devices.Count);
        foreach (var device in devices)
        {
            var fix = device.Movement.At(now);
            if (!fix.HasGps)
            {
                if (_withoutGps.Add(device.DeviceId))
                {
                    await PostEventAsync(http, device, now, "noGpsFix", "No satellite fix.", ct);
                }

                continue;
            }

            _withoutGps.Remove(device.DeviceId);
            fixes.Add(FixBody(device, now, fix));

            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (fix.BatteryPct < 15 && (!_lowBatteryReported.TryGetValue(device.DeviceId, out var day) || day != today))
            {
                _lowBatteryReported[device.DeviceId] = today;
                await PostEventAsync(http, device, now, "lowBattery", $"Battery at {fix.BatteryPct}%.", ct);
            }

            // About one strap tamper per device every 40 days.
            if (Chance(device.DeviceId + "tamper", now.ToUnixTimeSeconds() / options.Value.FixIntervalSeconds, 1.0 / (40 * 5760)))
            {
                await PostEventAsync(http, device, now, "strapTamper", "Strap opened.", ct);
            }
        }

        if (fixes.Count > 0)
        {
            using var response = await http.PostAsJsonAsync("/api/v1/locations", fixes, ct);
            response.EnsureSuccessStatusCode();
        }
    }

    private async Task AnswerPromptsAsync(HttpClient http, List<SimulatedDevice> devices, DateTimeOffset now, CancellationToken ct)
    {
        var from = Uri.EscapeDataString(now.AddMinutes(-30).ToString("O"));
        var to = Uri.EscapeDataString(now.AddMinutes(1).ToString("O"));
        var prompts = await http.GetFromJsonAsync<List<PromptDto>>($"/api/v1/prompts?from={from}&to={to}", ct) ?? [];
        var byDevice = devices.ToDictionary(d => d.DeviceId, StringComparer.Ordinal);
        foreach (var prompt in prompts)
        {
            if (!byDevice.TryGetValue(prompt.DeviceId, out var device))
            {
                continue;
            }

            if (!_answerAt.TryGetValue(prompt.PromptId, out var answerAt))
            {
                answerAt = AnswerTime(prompt);
                _answerAt[prompt.PromptId] = answerAt;
            }

            if (answerAt is { } at && at <= now)
            {
                _answerAt[prompt.PromptId] = null;
                await PostCheckInAsync(http, device, prompt.PromptId, now, ct);
            }
        }

        foreach (var stale in _answerAt.Where(p => p.Value is null).Select(p => p.Key).Where(id => prompts.All(p => p.PromptId != id)).ToList())
        {
            _answerAt.Remove(stale);
        }
    }

    /// <summary>About 3 in 100 prompts go unanswered; the others are answered within 30 s to 8 min.</summary>
    private static DateTimeOffset? AnswerTime(PromptDto prompt) =>
        Chance(prompt.PromptId.ToString(), 0, 0.03) ? null : prompt.DueAt.AddSeconds(30 + (Unit(prompt.PromptId.ToString(), 1) * 450));

    private static object FixBody(SimulatedDevice device, DateTimeOffset at, SimulatedFix fix) => new
    {
        eventId = StableGuid(device.DeviceId, at.ToUnixTimeSeconds()),
        deviceId = device.DeviceId,
        at,
        lat = Math.Round(fix.Position.Lat, 6),
        lon = Math.Round(fix.Position.Lon, 6),
        accuracyM = Math.Round(fix.AccuracyM, 1),
        batteryPct = fix.BatteryPct,
    };

    private async Task PostCheckInAsync(HttpClient http, SimulatedDevice device, Guid promptId, DateTimeOffset now, CancellationToken ct)
    {
        var roll = Unit(promptId.ToString(), 2);
        var variation = (int)(Unit(promptId.ToString(), 3) * PhotoVariations);
        double match, liveness;
        var impostor = false;
        if (roll < 0.85)
        {
            (match, liveness) = (0.82 + (Unit(promptId.ToString(), 4) * 0.17), 0.74 + (Unit(promptId.ToString(), 5) * 0.25));
        }
        else if (roll < 0.95)
        {
            (match, liveness) = (0.55 + (Unit(promptId.ToString(), 4) * 0.24), 0.6 + (Unit(promptId.ToString(), 5) * 0.39));
        }
        else
        {
            impostor = roll > 0.98;
            (match, liveness) = (0.15 + (Unit(promptId.ToString(), 4) * 0.33), 0.4 + (Unit(promptId.ToString(), 5) * 0.55));
        }

        var fix = device.Movement.At(now);
        var person = impostor ? device.PersonSeed + 1000 : device.PersonSeed;
        // Rendering a face costs tens of milliseconds: a few variations per person, drawn once, are plenty.
        var photo = _photos.GetOrAdd((person, variation), key => SyntheticFace.Render(key.Person, key.Variation));
        using var response = await http.PostAsJsonAsync("/api/v1/checkins", new
        {
            eventId = StableGuid(promptId.ToString(), 0),
            deviceId = device.DeviceId,
            promptId,
            capturedAt = now,
            matchScore = Math.Round(match, 3),
            livenessScore = Math.Round(liveness, 3),
            location = new { lat = Math.Round(fix.Position.Lat, 6), lon = Math.Round(fix.Position.Lon, 6), accuracyM = Math.Round(fix.AccuracyM, 1) },
            photoJpegBase64 = Convert.ToBase64String(photo),
        }, ct);
        if (!response.IsSuccessStatusCode)
        {
            logger.LogWarning("Simulated check-in for {Device} answered {Status}", device.DeviceId, (int)response.StatusCode);
        }
    }

    private async Task PostEventAsync(HttpClient http, SimulatedDevice device, DateTimeOffset now, string kind, string detail, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/device-events", new
        {
            eventId = StableGuid(device.DeviceId + kind, now.ToUnixTimeSeconds()),
            deviceId = device.DeviceId,
            at = now,
            kind,
            detail,
        }, ct);
        if (!response.IsSuccessStatusCode)
        {
            logger.LogWarning("Simulated {Kind} event for {Device} answered {Status}", kind, device.DeviceId, (int)response.StatusCode);
        }
    }

    /// <summary>Stable pseudo-randomness: the same decision whatever the restart or instance.</summary>
    private static double Unit(string key, long salt)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key + ":" + salt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return BitConverter.ToUInt64(hash, 0) / (double)ulong.MaxValue;
    }

    private static bool Chance(string key, long salt, double probability) => Unit(key, salt) < probability;

    private static Guid StableGuid(string key, long salt)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("event:" + key + ":" + salt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16));
    }
}

/// <summary>
/// Tells the alert timers when the simulator has answered the day so far: until then a prompt of this
/// morning is not missed, only not yet replayed. Done at once when the simulator is off.
/// </summary>
public sealed class DemoBackfill
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Completed => _done.Task;

    public void Done() => _done.TrySetResult();
}
