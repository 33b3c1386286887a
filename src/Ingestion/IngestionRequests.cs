using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Dashboard.Ingestion;

/// <summary>Reading a request body within its size limit, and the problem-details answers (RFC 9457).</summary>
public static class IngestionRequests
{
    public static IResult TooLarge(int maxBytes) => Results.Problem(
        title: "Body too large",
        detail: string.Create(CultureInfo.InvariantCulture, $"The body is larger than {maxBytes:N0} bytes."),
        statusCode: StatusCodes.Status413PayloadTooLarge);

    public static IResult Invalid(Dictionary<string, List<string>> errors) => Results.ValidationProblem(
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
        title: "The request has invalid fields",
        detail: "Nothing was stored. Correct the fields named in 'errors' and send it again.");

    public static IResult Invalid(string field, string message) =>
        Invalid(new Dictionary<string, List<string>> { [field] = [message] });

    public static IResult UnknownDevice(string deviceId) => Results.Problem(
        title: "Unknown device",
        detail: $"No device '{deviceId}' is registered. Nothing was stored.",
        statusCode: StatusCodes.Status404NotFound,
        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["deviceId"] = ["Unknown device."] } });

    /// <summary>
    /// Reads the body as JSON, refusing it with 413 past <paramref name="maxBytes"/> (whether or not a
    /// Content-Length was sent) and 400 when it is not JSON.
    /// </summary>
    public static async Task<(JsonDocument? Document, IResult? Error)> ReadJsonAsync(HttpContext http, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + 1L;
        }

        if (http.Request.ContentType is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !contentType.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Results.Problem(
                title: "Unsupported media type",
                detail: "Send the body as application/json.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return (null, TooLarge(maxBytes));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes));
        }

        try
        {
            return (JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 16 }), null);
        }
        catch (JsonException ex)
        {
            return (null, Results.Problem(
                title: "The body is not valid JSON",
                detail: string.Create(CultureInfo.InvariantCulture, $"Nothing was stored. The JSON parser stopped at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}."),
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["body"] = ["Not valid JSON."] } }));
        }
    }
}
