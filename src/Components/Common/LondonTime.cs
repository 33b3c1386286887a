using System.Globalization;

namespace Dashboard.Components.Common;

/// <summary>Pages show Europe/London time; the database keeps UTC.</summary>
public static class LondonTime
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("en-GB");

    public static DateTimeOffset ToLondon(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, London);

    public static string Format(DateTimeOffset? utc, string format = "dd MMM yyyy HH:mm") =>
        utc is { } t ? ToLondon(t).ToString(format, Culture) : "—";

    public static string FormatTime(DateTimeOffset? utc) => Format(utc, "HH:mm");
}
