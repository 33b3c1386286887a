using System.Security.Cryptography;

namespace Dashboard.Features.Reports.Pdf;

/// <summary>
/// The fingerprint printed on a document's last page, and how it is checked.
///
/// The document is written with 64 zeros where the fingerprint goes (on a page whose content is kept
/// uncompressed, in a font that already holds every hexadecimal digit). The fingerprint is the SHA-256 of
/// that whole file, as 64 lowercase hexadecimal digits; those digits then replace the zeros, byte for
/// byte, and nothing else changes. So: take the file, put 64 zeros back where the printed fingerprint
/// is, and SHA-256 of the result is the printed fingerprint. Every byte counts (text, figures, fonts,
/// metadata); a change to any byte, the fingerprint's own digits included, makes the check fail.
/// </summary>
public static class PdfSeal
{
    public const int Length = 64;

    /// <summary>What the page shows before sealing; exactly one occurrence in the file.</summary>
    public static readonly string Placeholder = new('0', Length);

    /// <summary>Replaces the placeholder with the SHA-256 of the file as written, in place.</summary>
    public static string Seal(byte[] pdf)
    {
        ArgumentNullException.ThrowIfNull(pdf);
        var zeros = Zeros();
        var at = pdf.AsSpan().IndexOf(zeros);
        if (at < 0 || pdf.AsSpan(at + Length).IndexOf(zeros) >= 0)
        {
            throw new InvalidOperationException("The document must hold the fingerprint placeholder exactly once.");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(pdf));
        System.Text.Encoding.ASCII.GetBytes(hash, pdf.AsSpan(at, Length));
        return hash;
    }

    /// <summary>
    /// The fingerprint a file carries when it is intact: some run of 64 hexadecimal digits in it such that
    /// the file with that run set to zeros hashes to those digits. Null when no such run exists (the file
    /// was changed, or it was never sealed).
    /// </summary>
    public static string? Check(ReadOnlySpan<byte> file)
    {
        foreach (var at in Candidates(file))
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(file[..at]);
            sha.AppendData(Zeros());
            sha.AppendData(file[(at + Length)..]);
            var computed = Convert.ToHexStringLower(sha.GetHashAndReset());
            var printed = System.Text.Encoding.ASCII.GetString(file.Slice(at, Length));
            if (computed == printed)
            {
                return computed;
            }
        }

        return null;
    }

    /// <summary>The fingerprints a file shows (runs of 64 lowercase hex digits in a PDF string), intact or not.</summary>
    public static IReadOnlyList<string> Printed(ReadOnlySpan<byte> file)
    {
        var found = new List<string>();
        foreach (var at in Candidates(file))
        {
            found.Add(System.Text.Encoding.ASCII.GetString(file.Slice(at, Length)));
        }

        return found;
    }

    /// <summary>Whether <paramref name="text"/> is a fingerprint as printed (64 hex digits, either case, spaces ignored).</summary>
    public static string? Normalise(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();
        return compact.Length == Length && compact.All(char.IsAsciiHexDigitLower) ? compact : null;
    }

    // The fingerprint is drawn as a PDF literal string of its own: "(" + 64 hex digits + ")".
    private static List<int> Candidates(ReadOnlySpan<byte> file)
    {
        var found = new List<int>();
        var start = 0;
        while (true)
        {
            var open = file[start..].IndexOf((byte)'(');
            if (open < 0)
            {
                break;
            }

            var at = start + open + 1;
            if (at + Length < file.Length && file[at + Length] == (byte)')' && IsHex(file.Slice(at, Length)))
            {
                found.Add(at);
            }

            start = at;
        }

        return found;
    }

    private static bool IsHex(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] Zeros() => System.Text.Encoding.ASCII.GetBytes(Placeholder);
}
