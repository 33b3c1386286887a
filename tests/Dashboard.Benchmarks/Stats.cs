using System.Globalization;

namespace Dashboard.Benchmarks;

/// <summary>Percentiles and printing: medians and ratios, since the machines are shared and noisy.</summary>
public static class Stats
{
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = p / 100.0 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

    public static void Line(string label, string value, string? target = null, bool? met = null)
    {
        var verdict = met switch { true => "  [target met]", false => "  [TARGET MISSED]", null => "" };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-58} {value,18}{(target is null ? "" : "   target " + target)}{verdict}"));
    }

    public static string F(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);
}
