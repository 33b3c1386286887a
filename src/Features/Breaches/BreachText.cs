using Dashboard.Domain;

namespace Dashboard.Features.Breaches;

/// <summary>Breach states and actions in the words the pages and the audit log use.</summary>
public static class BreachText
{
    public static string Describe(BreachState state) => state switch
    {
        BreachState.Proposed => "Proposed",
        BreachState.Confirmed => "Confirmed",
        BreachState.Rejected => "Rejected",
        BreachState.Withdrawn => "Withdrawn",
        _ => state.ToString(),
    };

    /// <summary>The audit action names of the breach workflow, in order of a breach's life.</summary>
    public static string Describe(string auditAction) => auditAction switch
    {
        "breach-proposed" => "Proposed",
        "breach-confirmed" => "Confirmed",
        "breach-rejected" => "Rejected",
        "breach-withdrawn" => "Withdrawn",
        "breach-note-added" => "Note added",
        Reports.ExportBreachReport.AuditAction => "Report exported",
        _ => auditAction,
    };

    /// <summary>Free text as a sentence in a longer record: ends with a full stop unless it already ends a sentence.</summary>
    public static string Sentence(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length > 0 && text[^1] is '.' or '!' or '?' ? text : text + ".";
    }
}
