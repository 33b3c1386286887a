using System.Globalization;

namespace Dashboard.Features.Reports;

/// <summary>How reports write times: Europe/London (as pages show them) to the second, and UTC where both are given.</summary>
public static class ReportTime
{
    public const string LondonFormat = "dd MMM yyyy HH:mm:ss";

    public static string London(DateTimeOffset? utc) => Components.Common.LondonTime.Format(utc, LondonFormat);

    public static string Utc(DateTimeOffset utc) => utc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>"GMT" or "BST", whichever applied in London at that moment.</summary>
    public static string LondonZone(DateTimeOffset utc) => Components.Common.LondonTime.ToLondon(utc).Offset == TimeSpan.Zero ? "GMT" : "BST";
}
