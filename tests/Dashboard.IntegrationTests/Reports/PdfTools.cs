using System.Diagnostics;
using UglyToad.PdfPig;

namespace Dashboard.IntegrationTests.Reports;

/// <summary>Reading reports back: text per page (PdfPig), and the poppler and qpdf command-line checks.</summary>
internal static class PdfTools
{
    public static string ArtifactDirectory
    {
        get
        {
            var dir = Path.Combine(Environment.GetEnvironmentVariable("DASHBOARD_TEST_ARTIFACTS") ?? Path.GetTempPath(), "reports");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>The letters of each page in the order they were drawn, without white space (compare with <see cref="Squeeze"/>).</summary>
    public static List<string> PageTexts(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return [.. document.GetPages().Select(p => Squeeze(string.Concat(p.Letters.Select(l => l.Value))))];
    }

    /// <summary>
    /// Each page's lines (top to bottom) as their words joined by single spaces (left to right), with where
    /// the line starts: enough to tell a table's first column from the others.
    /// </summary>
    public static List<List<(double Left, string Text)>> PageLines(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return [.. document.GetPages().Select(p => p.GetWords()
            .GroupBy(w => Math.Round(w.Letters[0].StartBaseLine.Y))
            .OrderByDescending(line => line.Key)
            .Select(line => (line.Min(w => w.BoundingBox.Left), string.Join(' ', line.OrderBy(w => w.BoundingBox.Left).Select(w => w.Text))))
            .ToList())];
    }

    /// <summary>Text without white space: wrapping in table cells moves line breaks, never letters.</summary>
    public static string Squeeze(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
