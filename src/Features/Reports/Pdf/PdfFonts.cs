using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using PdfSharp.Fonts;

namespace Dashboard.Features.Reports.Pdf;

/// <summary>
/// Where the fonts embedded in PDFs come from: TrueType files on disk, by default DejaVu from Debian's
/// <c>fonts-dejavu-core</c> package (installed by <c>scripts/setup.sh</c>). Never downloaded.
/// </summary>
public sealed class PdfFontOptions
{
    public const string Section = "Reports:Fonts";

    [Required]
    public string Directory { get; set; } = "/usr/share/fonts/truetype/dejavu";

    [Required]
    public string Regular { get; set; } = "DejaVuSans.ttf";

    [Required]
    public string Bold { get; set; } = "DejaVuSans-Bold.ttf";

    [Required]
    public string Mono { get; set; } = "DejaVuSansMono.ttf";
}

/// <summary>
/// The font families documents use, resolved to the configured TrueType files. PDFsharp takes one font
/// resolver per process: the first configuration installed wins (every app instance of a process
/// reads the same settings in practice).
/// </summary>
public sealed class PdfFonts : IFontResolver
{
    /// <summary>The text face (regular and bold).</summary>
    public const string Sans = "Report Sans";

    /// <summary>Fixed-width, for hashes and identifiers.</summary>
    public const string Mono = "Report Mono";

    private static readonly Lock InstallLock = new();
    private static PdfFonts? _installed;

    private readonly PdfFontOptions _options;
    private readonly ConcurrentDictionary<string, byte[]> _files = new();

    private PdfFonts(PdfFontOptions options) => _options = options;

    /// <summary>Installs the resolver once per process and checks that every font file is there.</summary>
    public static void Install(PdfFontOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (InstallLock)
        {
            if (_installed is not null)
            {
                return;
            }

            var fonts = new PdfFonts(options);
            foreach (var face in new[] { "regular", "bold", "mono" })
            {
                if (!File.Exists(fonts.PathOf(face)))
                {
                    throw new InvalidOperationException(
                        $"The report font '{fonts.PathOf(face)}' is missing: install fonts-dejavu-core (scripts/setup.sh does) or set {PdfFontOptions.Section}:Directory.");
                }
            }

            GlobalFontSettings.FontResolver = fonts;
            _installed = fonts;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => familyName switch
    {
        Mono => new FontResolverInfo("mono"),
        _ when bold => new FontResolverInfo("bold"),
        _ => new FontResolverInfo("regular"),
    };

    public byte[]? GetFont(string faceName) => _files.GetOrAdd(faceName, face => File.ReadAllBytes(PathOf(face)));

    private string PathOf(string face) => Path.Combine(_options.Directory, face switch
    {
        "bold" => _options.Bold,
        "mono" => _options.Mono,
        _ => _options.Regular,
    });
}
