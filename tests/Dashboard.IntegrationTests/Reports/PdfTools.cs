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
