using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Dashboard.FaultTests.Ingestion;

/// <summary>One request a careless or hostile device platform might send, and the event ids it would store if taken.</summary>
public sealed record BadRequest(string Path, byte[] Body, string? ContentType, Guid[] EventIds, string Table, string Description)
{
    public override string ToString() =>
        $"{Path} [{ContentType ?? "no content type"}] {Description}: {Encoding.UTF8.GetString(Body[..Math.Min(Body.Length, 600)])}";
}

/// <summary>
/// Generators of bad input: each starts from a valid request and breaks it field by field (wrong types,
/// huge numbers, NaN, Unicode edge cases, missing and unknown fields) or as a whole (truncated, not JSON,
/// wrong root, invalid UTF-8, deep nesting, wrong content type).
/// </summary>
public static class BadInput
{
    private static string Iso(DateTimeOffset t) => t.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static string Str(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    /// <summary>Raw JSON texts (some deliberately not JSON) to put where a field's value goes.</summary>
    private static readonly string[] OddValues =
    [
        "null", "true", "false", "0", "-0", "1", "-1", "2", "0.5", "1e308", "-1e308", "1e309", "-1e309", "1e-400",
        "123456789012345678901234567890", "0.99999999999999999999999", "NaN", "Infinity", "-Infinity", "\"NaN\"", "\"Infinity\"",
        "\"0.9\"", "[]", "{}", "[1,2,3]", "{\"a\":1}", "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\ud83d\"",
        "\"😀\"", "\"\\u202e\"", "\"e\\u0301\"", "\"\\ufeff\"", "\"１２３\"", "\"' OR 1=1 --\"", "\"<script>alert(1)</script>\"",
        "\"demo-0001\\u0000\"", "\"demo-0001\\n\"", "\"00000000-0000-0000-0000-000000000000\"", "\"3f2504e0-4f89-11d3-9a0c\"",
        "\"{3f2504e0-4f89-11d3-9a0c-0305e82c3301}\"", "\"2026-13-45T99:99:99Z\"", "\"not a date\"", "\"0001-01-01T00:00:00Z\"",
        "\"9999-12-31T23:59:59Z\"", "\"2026-01-01\"", "\"2026-01-01T00:00:00\"", "1735689600", "\"not base64!!\"", "\"/9j/4AAQ\"",
        "\"iVBORw0KGgo=\"", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]", "01", "+1", ".5", "1.", "0x10", "'single'", "undefined",
    ];

    private static Gen<string> OddValue() => Gen.OneOf(
        Gen.Elements(OddValues),
        Gen.Elements(OddValues),
        Gen.Choose(1, 70_000).Select(n => Str(new string('x', n))),
        Gen.Choose(0, 0x10FFFF).Where(c => c is < 0xD800 or > 0xDFFF).Select(c => Str(char.ConvertFromUtf32(c) + "demo")),
        Gen.Choose(int.MinValue, int.MaxValue).Select(n => n.ToString(CultureInfo.InvariantCulture)),
        Gen.Choose(-400, 400).Select(e => string.Create(CultureInfo.InvariantCulture, $"9.99e{e}")));

    private static Gen<string> FieldName(string[] known) => Gen.OneOf(
        Gen.Elements(known),
        Gen.Elements("EventId", "eventid", "extra", "", "\\u0000", "😀", "__proto__", "matchScore ", "location.lat"));

    /// <summary>1 to 3 changes to an object's fields: a value replaced, a field dropped, an unknown one added.</summary>
    private static Gen<(List<(string Name, string Value)> Fields, string Description)> Mutate(List<(string Name, string Value)> valid, string[] known) =>
        from count in Gen.Choose(1, 3)
        from steps in Gen.ListOf(
            from kind in Gen.Choose(0, 3)
            from name in FieldName(known)
            from value in OddValue()
            select (kind, name, value), count)
        select Apply(valid, steps);

    private static (List<(string, string)>, string) Apply(List<(string Name, string Value)> valid, IEnumerable<(int Kind, string Name, string Value)> steps)
    {
        var fields = valid.ToList();
        var description = new List<string>();
        foreach (var (kind, name, value) in steps)
        {
            switch (kind)
            {
                case 0 or 1:
                    fields.RemoveAll(f => f.Name == name);
                    fields.Add((name, value));
                    description.Add($"{name}={Shorten(value)}");
                    break;
                case 2:
                    fields.RemoveAll(f => f.Name == name);
                    description.Add($"no {name}");
                    break;
                default:
                    fields.Add((name, value));
                    description.Add($"also {name}={Shorten(value)}");
                    break;
            }
        }

        return (fields, string.Join(", ", description));
    }

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + $"...({value.Length})" : value;

    private static string Object(IEnumerable<(string Name, string Value)> fields) =>
        "{" + string.Join(",", fields.Select(f => $"{Str(f.Name)}:{f.Value}")) + "}";

    /// <summary>Whole-body damage, applied to some cases after the field changes.</summary>
    private static Gen<(byte[] Body, string Description)> Damage(string json) => Gen.Frequency(
        (6, Gen.Constant((Encoding.UTF8.GetBytes(json), ""))),
        (1, Gen.Choose(0, Math.Max(0, json.Length - 1)).Select(n => (Encoding.UTF8.GetBytes(json[..n]), $"truncated at {n}"))),
        (1, Gen.Choose(0, json.Length).Select(n => (Encoding.UTF8.GetBytes(json.Insert(n, "\"")), $"stray quote at {n}"))),
        (1, OddValue().Select(v => (Encoding.UTF8.GetBytes(v), "a bare value"))),
        (1, Gen.Constant((Encoding.UTF8.GetBytes("[" + json + "]"), "wrapped in an array"))),
        (1, Gen.Constant((Prefixed([0xC3, 0x28], json), "invalid UTF-8"))),
        (1, Gen.Constant((Prefixed([0xEF, 0xBB, 0xBF], json), "with a BOM"))),
        (1, Gen.Constant((Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)), "nested 5,000 deep"))),
        (1, Gen.Constant((Array.Empty<byte>(), "empty"))),
        (1, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(bytes => (bytes, "random bytes"))));

    private static byte[] Prefixed(byte[] prefix, string json) => [.. prefix, .. Encoding.UTF8.GetBytes(json)];

    private static Gen<string?> ContentType() => Gen.Frequency(
        (12, Gen.Constant<string?>("application/json")),
        (1, Gen.Constant<string?>("application/problem+json")),
        (1, Gen.Constant<string?>("text/plain")),
        (1, Gen.Constant<string?>("application/x-www-form-urlencoded")),
        (1, Gen.Constant<string?>(null)),
        (1, Gen.Constant<string?>("application/json; charset=utf-16")));

    private static readonly string[] CheckInFields = ["eventId", "deviceId", "promptId", "capturedAt", "matchScore", "livenessScore", "location", "photoJpegBase64"];

    public static Arbitrary<BadRequest> CheckIns() =>
        (from eventId in Gen.Constant(0).Select(_ => Guid.NewGuid())
         from device in Gen.Choose(1, 60)
         from nested in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
         let valid = new List<(string Name, string Value)>
         {
             ("eventId", Str(eventId.ToString())),
             ("deviceId", Str($"demo-{device:0000}")),
             ("capturedAt", Str(Iso(DateTimeOffset.UtcNow.AddMinutes(-1)))),
             ("matchScore", "0.91"),
             ("livenessScore", "0.88"),
             ("location", "{\"lat\":51.5,\"lon\":-0.12,\"accuracyM\":9}"),
         }
         from mutated in nested ? MutateLocation(valid) : Mutate(valid, CheckInFields)
         from damage in Damage(Object(mutated.Fields))
         from contentType in ContentType()
         select new BadRequest("/api/v1/checkins", damage.Body, contentType, [eventId], "check_ins", $"{mutated.Description} {damage.Description}"))
        .ToArbitrary();

    /// <summary>The check-in's nested location broken instead of its top-level fields.</summary>
    private static Gen<(List<(string Name, string Value)> Fields, string Description)> MutateLocation(List<(string Name, string Value)> valid) =>
        from mutated in Mutate([("lat", "51.5"), ("lon", "-0.12"), ("accuracyM", "9")], ["lat", "lon", "accuracyM"])
        select (valid.Where(f => f.Name != "location").Append(("location", Object(mutated.Fields))).ToList(), "location: " + mutated.Description);

    private static readonly string[] FixFields = ["eventId", "deviceId", "at", "lat", "lon", "accuracyM", "batteryPct"];

    public static Arbitrary<BadRequest> LocationBatches() =>
        (from size in Gen.Choose(1, 6)
         from items in Gen.ListOf(
             from eventId in Gen.Constant(0).Select(_ => Guid.NewGuid())
             from device in Gen.Choose(1, 60)
             from seconds in Gen.Choose(60, 86_000)
             from broken in Gen.Frequency((1, Gen.Constant(false)), (3, Gen.Constant(true)))
             let valid = new List<(string Name, string Value)>
             {
                 ("eventId", Str(eventId.ToString())),
                 ("deviceId", Str($"demo-{device:0000}")),
                 ("at", Str(Iso(DateTimeOffset.UtcNow.AddSeconds(-seconds).AddTicks(Random.Shared.Next(10_000))))),
                 ("lat", "51.5"),
                 ("lon", "-0.12"),
                 ("accuracyM", "12"),
                 ("batteryPct", "70"),
             }
             from mutated in broken ? Mutate(valid, FixFields) : Gen.Constant((Fields: valid, Description: "valid"))
             select (eventId, Json: Object(mutated.Fields), mutated.Description), size)
         from damage in Damage("[" + string.Join(",", items.Select(i => i.Json)) + "]")
         from contentType in ContentType()
         select new BadRequest("/api/v1/locations", damage.Body, contentType, [.. items.Select(i => i.eventId)], "location_pings",
             string.Join(" | ", items.Select(i => i.Description)) + " " + damage.Description))
        .ToArbitrary();

    private static readonly string[] DeviceEventFields = ["eventId", "deviceId", "at", "kind", "detail"];

    public static Arbitrary<BadRequest> DeviceEvents() =>
        (from eventId in Gen.Constant(0).Select(_ => Guid.NewGuid())
         from device in Gen.Choose(1, 60)
         from kind in Gen.Elements("strapTamper", "lowBattery", "noGpsFix")
         let valid = new List<(string Name, string Value)>
         {
             ("eventId", Str(eventId.ToString())),
             ("deviceId", Str($"demo-{device:0000}")),
             ("at", Str(Iso(DateTimeOffset.UtcNow.AddMinutes(-2)))),
             ("kind", Str(kind)),
             ("detail", Str("fault test")),
         }
         from mutated in Mutate(valid, DeviceEventFields)
         from damage in Damage(Object(mutated.Fields))
         from contentType in ContentType()
         select new BadRequest("/api/v1/device-events", damage.Body, contentType, [eventId], "device_events", $"{mutated.Description} {damage.Description}"))
        .ToArbitrary();
}
