using System.Globalization;
using System.Text;
using Dashboard.Features.Reports;

namespace Dashboard.Features.Transparency;

/// <summary>README.txt of a pack: what it is, who made it, and what each file and its columns hold.</summary>
internal static class TransparencyPackReadme
{
    public static string Write(TransparencyPackData data, PackRequest request, RenderedReport pdf)
    {
        var p = data.Profile;
        var n = (long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"TRANSPARENCY PACK {request.PackNumber}");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Everything the electronic monitoring caseworker dashboard holds about {p.Name} (case {p.CaseReference}),");
        s.AppendLine(CultureInfo.InvariantCulture, $"exported {ReportTime.Utc(request.GeneratedAt)} by {request.GeneratedBy} ({request.GeneratedByRole}) in answer to a subject access request.");
        s.AppendLine("The export is recorded in the dashboard's audit log with the fingerprint of the PDF below.");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"{ExportTransparencyPack.PdfName}  A readable summary of every category ({pdf.PageCount} pages). Its last page carries its");
        s.AppendLine(CultureInfo.InvariantCulture, $"    fingerprint (SHA-256 {pdf.Sha256}) and says how to check it.");
        s.AppendLine();
        s.AppendLine("The files below hold every row, for spreadsheets and other programs. CSV files are UTF-8, comma-separated, one header line.");
        s.AppendLine("Times ending in Z are UTC; columns ending in _london are Europe/London time. A value starting with ' had a leading = + - or @");
        s.AppendLine("that a spreadsheet would otherwise read as a formula.");
        s.AppendLine();
        File(s, "profile.json", "The person's record: name, case reference, home address and position, monitoring period, responsible officer, devices, zones (exclusion and curfew), authorised absences.");
        File(s, "check-ins.csv", $"{n(data.CheckIns.Count)} check-ins: time, outcome (Verified, Borderline, Failed, Missed), match and liveness scores (0 to 1), the policy version and thresholds that judged it (accept/reject for match and liveness), position, whether the photo is still held, and the review decision, reason and reviewer for borderline ones. missed_by_timer=yes: no check-in came in time, so there are no scores.");
        File(s, "reviews.csv", $"{n(data.Reviews.Count)} face-match reviews: the decision a person made on a borderline check-in, the reason and who decided.");
        File(s, "monitoring-reviews.csv", $"{n(data.MonitoringReviews.Count)} proportionality reviews: whether each condition is still necessary, whether the check-in frequency is appropriate, representations received, the outcome (Continue, Vary, End) and reasons.");
        File(s, "alerts.csv", $"{n(data.Alerts.Count)} alerts raised by the system and how staff handled each (acknowledged, dismissed with a reason, excused, part of a breach, closed).");
        File(s, "breaches.csv", $"{n(data.Breaches.Count)} breaches: who proposed each and when, and the decision by a different person with its reason.");
        File(s, "notes.csv", $"{n(data.Notes.Count)} notes written by staff.");
        File(s, "device-events.csv", $"{n(data.DeviceEvents.Count)} events reported by the watch (strap, battery, signal, power).");
        File(s, "prompts.csv", $"{n(data.Prompts.Count)} check-in prompts sent to the watch and what became of each.");
        File(s, "photos.csv", $"{n(data.Photos.Count)} photos held (the images themselves are not in this pack; a copy can be requested quoting the pack number and photo id), and when each is deleted or why it is kept.");
        File(s, "location-daily.csv", $"{n(data.LocationDays.Count)} days of location: per London day the number of fixes (and how many from GPS, accuracy 100 m or better), the first and last, the box around them (min/max latitude and longitude), their centre, and the zones with fixes inside.");
        File(s, ExportTransparencyPack.PointsName, request.RawPoints
            ? $"Every one of the {n(data.FixCount)} location fixes held: time, latitude, longitude, accuracy in metres, battery percentage, device."
            : $"Not included: the {n(data.FixCount)} raw fixes were left out (least data) and are summarised in location-daily.csv. They can be exported on request.");
        File(s, "access-history.csv", $"{n(data.Access.Total)} audit log entries about this person up to entry #{data.Access.UpToEntry.ToString(CultureInfo.InvariantCulture)}: who opened their page or a check-in (once per member of staff and quarter hour), viewed a photo, exported, decided or changed something, and when. The log is append-only and hash-chained.");
        File(s, "retention.csv", "Each category of data, how much is held, the rule that deletes it and the next deletion due. Categories without automatic deletion say so.");
        return s.ToString();
    }

    private static void File(StringBuilder s, string name, string text)
    {
        s.AppendLine(name);
        var line = new StringBuilder("    ");
        foreach (var word in text.Split(' '))
        {
            if (line.Length + word.Length > 110)
            {
                s.AppendLine(line.ToString().TrimEnd());
                line.Clear().Append("    ");
            }

            line.Append(word).Append(' ');
        }

        s.AppendLine(line.ToString().TrimEnd());
        s.AppendLine();
    }
}
