namespace Dashboard.Data;

/// <summary>Search text as a LIKE pattern: the user's %, _ and \ match themselves, not anything.</summary>
public static class SqlLike
{
    /// <summary>A pattern matching values that contain the trimmed text.</summary>
    public static string Containing(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return "%" + text.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal) + "%";
    }
}
