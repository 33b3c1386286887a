using System.Globalization;

namespace Dashboard.Benchmarks;

/// <summary>
/// CPU time and memory of groups of processes, read from /proc (Linux): the app, PostgreSQL's postmaster and
/// its backends, and everything else this benchmark started (Chromium, its driver).
/// </summary>
public static class ProcessProbe
{
    /// <summary>Clock ticks per second of /proc/[pid]/stat times (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    public sealed record Reading(double CpuSeconds, double RssBytes, double PssBytes, int Processes);

    /// <summary>Parent of each live process.</summary>
    public static Dictionary<int, int> Parents()
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (Stat(pid) is { } stat)
            {
                parents[pid] = stat.Parent;
            }
        }

        return parents;
    }

    /// <summary>The process and all its descendants.</summary>
    public static HashSet<int> Tree(int root, Dictionary<int, int> parents)
    {
        ArgumentNullException.ThrowIfNull(parents);
        var tree = new HashSet<int> { root };
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                if (tree.Contains(parent) && tree.Add(pid))
                {
                    grew = true;
                }
            }
        }
        while (grew);
        return tree;
    }

    public static Reading Read(IEnumerable<int> pids)
    {
        ArgumentNullException.ThrowIfNull(pids);
        double cpu = 0, rss = 0, pss = 0;
        var count = 0;
        foreach (var pid in pids)
        {
            if (Stat(pid) is not { } stat)
            {
                continue;
            }

            count++;
            cpu += stat.CpuTicks / TicksPerSecond;
            rss += Kilobytes($"/proc/{pid}/status", "VmRSS:") * 1024;
            pss += Kilobytes($"/proc/{pid}/smaps_rollup", "Pss:") * 1024;
        }

        return new(cpu, rss, pss, count);
    }

    private readonly record struct ProcStat(int Parent, double CpuTicks);

    private static ProcStat? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces and parentheses: the fields after it start past the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            // After the name: state(0) ppid(1) ... utime(11) stime(12).
            return new(
                int.Parse(fields[1], CultureInfo.InvariantCulture),
                double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static double Kilobytes(string path, string label)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(label, StringComparison.Ordinal))
                {
                    var value = line[label.Length..].Trim().Split(' ')[0];
                    return double.Parse(value, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // The process ended between listing and reading.
        }

        return 0;
    }

    /// <summary>The 1, 5 and 15 minute load averages, as uptime prints them.</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
