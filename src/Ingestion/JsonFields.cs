using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dashboard.Ingestion;

/// <summary>
/// Reads the fields of one JSON object and collects an error for every bad one, named by its path
/// (<c>matchScore</c>, <c>location.lat</c>, <c>[3].lat</c>), so a partner learns every problem at once.
/// Unknown fields are ignored, as the contract says.
/// </summary>
public sealed partial class JsonFields(JsonElement element, string pathPrefix, Dictionary<string, List<string>> errors, DateTimeOffset now)
{
    public JsonElement Element => element;

    public bool HasErrors => errors.Count > 0;

    public string PathOf(string name) => pathPrefix.Length == 0 ? name : pathPrefix + "." + name;

    public void Error(string name, string message)
    {
        var path = PathOf(name);
        if (!errors.TryGetValue(path, out var list))
        {
            errors[path] = list = [];
        }

        list.Add(message);
    }

    public bool TryGet(string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>A string value, or null (with an error) when it holds invalid Unicode such as a lone surrogate.</summary>
    private string? ReadString(string name, JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            Error(name, "Must be valid Unicode text.");
            return null;
        }
    }

    public Guid? Uuid(string name, bool required)
    {
        if (!TryGet(name, out var value))
        {
            if (required)
            {
                Error(name, "Required.");
            }

            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = ReadString(name, value);
            if (text is null)
            {
                return null;
            }

            if (Guid.TryParseExact(text, "D", out var id) && id != Guid.Empty)
            {
                return id;
            }
        }

        Error(name, "Must be a UUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301.");
        return null;
    }

    public string? Text(string name, bool required, int maxLength)
    {
        if (!TryGet(name, out var value))
        {
            if (required)
            {
                Error(name, "Required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error(name, "Must be a string.");
            return null;
        }

        var text = ReadString(name, value);
        if (text is null)
        {
            return null;
        }

        if (required && string.IsNullOrWhiteSpace(text))
        {
            Error(name, "Must not be empty.");
            return null;
        }

        if (text.Length > maxLength)
        {
            Error(name, string.Create(CultureInfo.InvariantCulture, $"Must be at most {maxLength} characters."));
            return null;
        }

        if (text.Any(char.IsControl))
        {
            Error(name, "Must not contain control characters.");
            return null;
        }

        return text;
    }

    public double? Number(string name, bool required, double min, double max)
    {
        if (!TryGet(name, out var value))
        {
            if (required)
            {
                Error(name, "Required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            Error(name, string.Create(CultureInfo.InvariantCulture, $"Must be a number from {min} to {max}."));
            return null;
        }

        if (number < min || number > max)
        {
            Error(name, string.Create(CultureInfo.InvariantCulture, $"Must be from {min} to {max}; was {number}."));
            return null;
        }

        return number;
    }

    public int? WholeNumber(string name, bool required, int min, int max)
    {
        if (!TryGet(name, out var value))
        {
            if (required)
            {
                Error(name, "Required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
        {
            Error(name, string.Create(CultureInfo.InvariantCulture, $"Must be a whole number from {min} to {max}."));
            return null;
        }

        return number;
    }

    /// <summary>An RFC 3339 timestamp with an offset, not more than 5 minutes ahead and not older than the acceptance window.</summary>
    public DateTimeOffset? Timestamp(string name, bool required, TimeSpan maxAge)
    {
        if (!TryGet(name, out var value))
        {
            if (required)
            {
                Error(name, "Required.");
            }

            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? ReadString(name, value) : null;
        if (value.ValueKind == JsonValueKind.String && text is null)
        {
            return null;
        }

        if (!TryParseRfc3339(text, out var at))
        {
            Error(name, "Must be an RFC 3339 timestamp with an offset, such as 2026-11-27T14:05:00Z.");
            return null;
        }

        if (at > now + IngestionOptions.MaxClockSkew)
        {
            Error(name, "Is more than 5 minutes in the future: check the device clock.");
            return null;
        }

        if (at < now - maxAge)
        {
            Error(name, string.Create(CultureInfo.InvariantCulture, $"Is older than the {maxAge.TotalDays:0}-day acceptance window."));
            return null;
        }

        return at.ToUniversalTime();
    }

    /// <summary>A nested object, read with the same error list under its own path.</summary>
    public JsonFields? Nested(string name, bool required)
    {
        if (!TryGet(name, out var value))
        {
            if (required)
            {
                Error(name, "Required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Error(name, "Must be an object.");
            return null;
        }

        return new JsonFields(value, PathOf(name), errors, now);
    }

    /// <summary>RFC 3339 date-time with an offset (Z or ±hh:mm), nothing before or after it.</summary>
    public static bool TryParseRfc3339(string? text, out DateTimeOffset at)
    {
        at = default;
        return text is not null
            && Rfc3339().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }

    [GeneratedRegex(@"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Rfc3339();
}
