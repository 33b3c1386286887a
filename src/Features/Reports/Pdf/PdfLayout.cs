using System.IO.Compression;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;

namespace Dashboard.Features.Reports.Pdf;

/// <summary>A table column: its heading, its share of the text width and how its cells align.</summary>
public sealed record PdfColumn(string Heading, double Share, XStringAlignment Align = XStringAlignment.Near);

/// <summary>What a page decoration (running header, footer) knows about the page it draws on.</summary>
public sealed record PdfPageInfo(int Number, int Count, XRect Area);

/// <summary>
/// A small flow layout over PDFsharp for A4 documents (reports, packs): headings, wrapped paragraphs,
/// label/value facts, tables that span pages and repeat their header, figures drawn as vectors, a
/// running header and a footer that knows the page count. Text never clips: it is measured, wrapped and
/// paginated here. Fonts are the embedded <see cref="PdfFonts"/>.
/// </summary>
public sealed class PdfLayout : IDisposable
{
    public const double PageWidth = 595.276;   // A4 in points
    public const double PageHeight = 841.89;
    public const double Margin = 48;
    public const double TopMargin = 56;
    public const double BottomMargin = 58;

    public static readonly XColor Ink = XColor.FromArgb(0x1a, 0x1a, 0x1a);
    public static readonly XColor Muted = XColor.FromArgb(0x55, 0x5b, 0x63);
    public static readonly XColor Rule = XColor.FromArgb(0xb8, 0xbe, 0xc6);
    public static readonly XColor HeaderFill = XColor.FromArgb(0xe3, 0xea, 0xf2);
    public static readonly XColor StripeFill = XColor.FromArgb(0xf5, 0xf7, 0xf9);
    public static readonly XColor Accent = XColor.FromArgb(0x1b, 0x3f, 0x6b);

    private readonly PdfDocument _document = new();
    private readonly HashSet<PdfPage> _rawPages = [];
    private readonly Dictionary<XFont, Dictionary<char, double>> _widths = [];
    private readonly XGraphics _measure;
    private XGraphics? _gfx;
    private PdfPage? _page;
    private int? _finishedPages;

    public PdfLayout(string title, string author, string subject)
    {
        _document.Info.Title = title;
        _document.Info.Author = author;
        _document.Info.Subject = subject;
        _document.Info.Creator = "Caseworker dashboard";
        // Content streams are compressed here (see Finish), fonts and images are written as they are.
        _document.Options.NoCompression = true;
        _document.Options.CompressContentStreams = false;
        _measure = XGraphics.CreateMeasureContext(new XSize(PageWidth, PageHeight), XGraphicsUnit.Point, XPageDirection.Downwards);
        Body = new XFont(PdfFonts.Sans, 8.5);
        Bold = new XFont(PdfFonts.Sans, 8.5, XFontStyleEx.Bold);
        Small = new XFont(PdfFonts.Sans, 7.5);
        SmallBold = new XFont(PdfFonts.Sans, 7.5, XFontStyleEx.Bold);
        Title = new XFont(PdfFonts.Sans, 18, XFontStyleEx.Bold);
        Heading1 = new XFont(PdfFonts.Sans, 13, XFontStyleEx.Bold);
        Heading2 = new XFont(PdfFonts.Sans, 10, XFontStyleEx.Bold);
        Mono = new XFont(PdfFonts.Mono, 8.5);
    }

    public XFont Body { get; }
    public XFont Bold { get; }
    public XFont Small { get; }
    public XFont SmallBold { get; }
    public XFont Title { get; }
    public XFont Heading1 { get; }
    public XFont Heading2 { get; }
    public XFont Mono { get; }

    public static double Left => Margin;
    public static double Right => PageWidth - Margin;
    public static double Width => PageWidth - (2 * Margin);
    public static double Top => TopMargin;
    public static double Bottom => PageHeight - BottomMargin;

    /// <summary>Where the next block starts on the current page.</summary>
    public double Y { get; set; }

    public int PageCount => _finishedPages ?? _document.PageCount;

    /// <summary>The graphics of the current page (a page is started on first use).</summary>
    public XGraphics Gfx => _gfx ?? NewPage();

    /// <summary>Drawn at the top of every page after the first (for example the document's title and number).</summary>
    public Action<XGraphics, PdfPageInfo>? RunningHeader { get; set; }

    public XGraphics NewPage()
    {
        _gfx?.Dispose();
        _page = _document.AddPage();
        _page.Width = XUnit.FromPoint(PageWidth);
        _page.Height = XUnit.FromPoint(PageHeight);
        _gfx = XGraphics.FromPdfPage(_page);
        Y = Top;
        if (_document.PageCount > 1 && RunningHeader is { } header)
        {
            header(_gfx, new PdfPageInfo(_document.PageCount, 0, new XRect(Left, 24, Width, Top - 30)));
        }

        return _gfx;
    }

    /// <summary>Starts a new page unless <paramref name="height"/> points still fit on this one.</summary>
    public void EnsureSpace(double height)
    {
        if (_gfx is null || Y + height > Bottom)
        {
            NewPage();
        }
    }

    public void Space(double points) => Y += points;

    /// <summary>Adds a bookmark to the document outline at the current position.</summary>
    public void Bookmark(string title)
    {
        _ = Gfx;
        _document.Outlines.Add(title, _page!, true);
    }

    /// <param name="keepWithNext">Points of what follows that must fit on the same page (a figure, say).</param>
    public void Heading(string text, bool major = true, double keepWithNext = 0)
    {
        var font = major ? Heading1 : Heading2;
        EnsureSpace(LineHeight(font) + (major ? 40 : 28) + keepWithNext);
        Y += major ? 10 : 6;
        if (major)
        {
            _document.Outlines.Add(text, _page!, true);
        }

        Gfx.DrawString(text, font, new XSolidBrush(major ? Accent : Ink), new XRect(Left, Y, Width, LineHeight(font)), XStringFormats.TopLeft);
        Y += LineHeight(font) + (major ? 2 : 1);
        if (major)
        {
            Gfx.DrawLine(new XPen(Rule, 0.75), Left, Y, Right, Y);
            Y += 6;
        }
    }

    public void Paragraph(string text, XFont? font = null, XColor? colour = null, double indent = 0)
    {
        font ??= Body;
        var brush = new XSolidBrush(colour ?? Ink);
        var lineHeight = LineHeight(font);
        foreach (var line in Wrap(text, font, Width - indent))
        {
            EnsureSpace(lineHeight);
            Gfx.DrawString(line, font, brush, new XRect(Left + indent, Y, Width - indent, lineHeight), XStringFormats.TopLeft);
            Y += lineHeight;
        }

        Y += 3;
    }

    /// <summary>Label and value pairs in two columns; values wrap.</summary>
    public void Facts(IEnumerable<(string Label, string Value)> facts, double labelWidth = 132)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var lineHeight = LineHeight(Body);
        var labelBrush = new XSolidBrush(Muted);
        var valueBrush = new XSolidBrush(Ink);
        foreach (var (label, value) in facts)
        {
            var lines = Wrap(value, Body, Width - labelWidth);
            var labelLines = Wrap(label, SmallBold, labelWidth - 8);
            EnsureSpace(Math.Min(lines.Count, 3) * lineHeight);
            for (var i = 0; i < Math.Max(lines.Count, labelLines.Count); i++)
            {
                EnsureSpace(lineHeight);
                if (i < labelLines.Count)
                {
                    Gfx.DrawString(labelLines[i], SmallBold, labelBrush, new XRect(Left, Y + 1, labelWidth - 8, lineHeight), XStringFormats.TopLeft);
                }

                if (i < lines.Count)
                {
                    Gfx.DrawString(lines[i], Body, valueBrush, new XRect(Left + labelWidth, Y, Width - labelWidth, lineHeight), XStringFormats.TopLeft);
                }

                Y += lineHeight;
            }

            Y += 2.5;
        }

        Y += 3;
    }

    /// <summary>
    /// A table over the full text width. Rows are measured and never clipped; the header row is repeated
    /// on every page the table reaches, and a row too tall for a page continues on the next.
    /// </summary>
    public void Table(IReadOnlyList<PdfColumn> columns, IEnumerable<IReadOnlyList<string>> rows, XFont? font = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        font ??= Small;
        const double padX = 3.5;
        const double padY = 2.5;
        var total = columns.Sum(c => c.Share);
        var widths = columns.Select(c => Width * c.Share / total).ToArray();
        var lineHeight = LineHeight(font);
        var headerLines = columns.Select((c, i) => Wrap(c.Heading, SmallBold, widths[i] - (2 * padX))).ToList();
        var headerHeight = (headerLines.Max(l => l.Count) * LineHeight(SmallBold)) + (2 * padY);
        var rulePen = new XPen(Rule, 0.5);
        var ink = new XSolidBrush(Ink);

        void DrawHeader()
        {
            var x = Left;
            Gfx.DrawRectangle(new XSolidBrush(HeaderFill), Left, Y, Width, headerHeight);
            for (var i = 0; i < columns.Count; i++)
            {
                for (var l = 0; l < headerLines[i].Count; l++)
                {
                    Gfx.DrawString(headerLines[i][l], SmallBold, ink,
                        new XRect(x + padX, Y + padY + (l * LineHeight(SmallBold)), widths[i] - (2 * padX), LineHeight(SmallBold)), Format(columns[i].Align));
                }

                x += widths[i];
            }

            Gfx.DrawLine(new XPen(Accent, 0.75), Left, Y + headerHeight, Right, Y + headerHeight);
            Y += headerHeight;
        }

        EnsureSpace(headerHeight + lineHeight + (2 * padY));
        DrawHeader();
        var stripe = false;
        foreach (var row in rows)
        {
            var cells = row.Select((text, i) => Wrap(text, font, widths[i] - (2 * padX))).ToList();
            var lines = Math.Max(1, cells.Max(c => c.Count));
            var height = (lines * lineHeight) + (2 * padY);
            if (Y + height > Bottom && height <= Bottom - Top - headerHeight)
            {
                NewPage();
                DrawHeader();
            }

            var first = 0;
            while (first < lines)
            {
                var fit = Math.Min(lines - first, (int)Math.Floor((Bottom - Y - (2 * padY)) / lineHeight));
                if (fit <= 0)
                {
                    NewPage();
                    DrawHeader();
                    continue;
                }

                var chunkHeight = (fit * lineHeight) + (2 * padY);
                if (stripe)
                {
                    Gfx.DrawRectangle(new XSolidBrush(StripeFill), Left, Y, Width, chunkHeight);
                }

                var x = Left;
                for (var i = 0; i < cells.Count; i++)
                {
                    for (var l = first; l < Math.Min(cells[i].Count, first + fit); l++)
                    {
                        Gfx.DrawString(cells[i][l], font, ink,
                            new XRect(x + padX, Y + padY + ((l - first) * lineHeight), widths[i] - (2 * padX), lineHeight), Format(columns[i].Align));
                    }

                    x += widths[i];
                }

                Y += chunkHeight;
                Gfx.DrawLine(rulePen, Left, Y, Right, Y);
                first += fit;
            }

            stripe = !stripe;
        }

        Y += 8;
    }

    /// <summary>A figure of a fixed height (moved to the next page when it does not fit), then its caption.</summary>
    public void Figure(double height, Action<XGraphics, XRect> draw, string caption)
    {
        ArgumentNullException.ThrowIfNull(draw);
        var captionLines = Wrap(caption, Small, Width);
        EnsureSpace(height + (captionLines.Count * LineHeight(Small)) + 8);
        draw(Gfx, new XRect(Left, Y, Width, height));
        Y += height + 4;
        Paragraph(caption, Small, Muted);
        Y += 4;
    }

    /// <summary>
    /// Keeps the content of the current page uncompressed in the file, so that text on it can be found
    /// and replaced byte for byte (the verification page's fingerprint).
    /// </summary>
    public void KeepPageUncompressed()
    {
        _ = Gfx;
        _rawPages.Add(_page!);
    }

    /// <summary>
    /// Draws the box that will show the file's fingerprint (see <see cref="PdfSeal"/>) on the current page,
    /// which is kept uncompressed: <see cref="PdfSeal.Placeholder"/> as one PDF string in a simple (WinAnsi)
    /// font, and a line of every hexadecimal digit in that font, so that its embedded subset renders the
    /// digits that replace the zeros.
    /// </summary>
    public void FingerprintPlaceholder()
    {
        KeepPageUncompressed();
        var hashFont = new XFont(PdfFonts.Mono, 9.5, XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.WinAnsi));
        var g = Gfx;
        g.DrawRectangle(new XPen(Accent, 0.75), new XSolidBrush(StripeFill), Left, Y, Width, 24);
        g.DrawString(PdfSeal.Placeholder, hashFont, new XSolidBrush(Ink), new XRect(Left + 10, Y + 6, Width - 20, 14), XStringFormats.TopLeft);
        Y += 30;
        const string digitsLabel = "64 characters, each one of the hexadecimal digits";
        var labelWidth = MeasureWidth(digitsLabel, Small) + 5;
        g.DrawString(digitsLabel, Small, new XSolidBrush(Muted), new XRect(Left, Y + 1, labelWidth, 10), XStringFormats.TopLeft);
        g.DrawString("0123456789abcdef", hashFont, new XSolidBrush(Muted), new XRect(Left + labelWidth, Y, 200, 12), XStringFormats.TopLeft);
        Y += 16;
    }

    /// <summary>The height of one line of text in <paramref name="font"/>.</summary>
    public static double LineHeight(XFont font)
    {
        ArgumentNullException.ThrowIfNull(font);
        return font.Size * 1.32;
    }

    public double MeasureWidth(string text, XFont font)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(font);
        if (!_widths.TryGetValue(font, out var widths))
        {
            _widths[font] = widths = [];
        }

        var width = 0.0;
        foreach (var c in text)
        {
            if (!widths.TryGetValue(c, out var w))
            {
                widths[c] = w = _measure.MeasureString(c.ToString(), font).Width;
            }

            width += w;
        }

        return width;
    }

    /// <summary>Breaks text into lines no wider than <paramref name="width"/>: at spaces, and inside words that are too long alone.</summary>
    public List<string> Wrap(string text, XFont font, double width)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = new List<string>();
        foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = "";
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (MeasureWidth(candidate, font) <= width)
                {
                    line = candidate;
                    continue;
                }

                if (line.Length > 0)
                {
                    lines.Add(line);
                }

                line = word;
                while (MeasureWidth(line, font) > width && line.Length > 1)
                {
                    var cut = line.Length - 1;
                    while (cut > 1 && MeasureWidth(line[..cut], font) > width)
                    {
                        cut--;
                    }

                    lines.Add(line[..cut]);
                    line = line[cut..];
                }
            }

            lines.Add(line);
        }

        return lines;
    }

    /// <summary>
    /// Draws the footer on every page (now that the count is known) and writes the file. Every content
    /// stream is deflated except those of pages kept uncompressed.
    /// </summary>
    public byte[] Finish(Action<XGraphics, PdfPageInfo> footer)
    {
        ArgumentNullException.ThrowIfNull(footer);
        _ = Gfx;
        _gfx!.Dispose();
        _gfx = null;
        var count = _document.PageCount;
        _finishedPages = count;
        for (var i = 0; i < count; i++)
        {
            using var gfx = XGraphics.FromPdfPage(_document.Pages[i], XGraphicsPdfPageOptions.Append);
            footer(gfx, new PdfPageInfo(i + 1, count, new XRect(Left, Bottom + 14, Width, BottomMargin - 22)));
        }

        foreach (var page in _document.Pages)
        {
            if (_rawPages.Contains(page))
            {
                continue;
            }

            foreach (var item in page.Contents.Elements)
            {
                if ((item as PdfReference)?.Value is PdfContent content && content.Elements["/Filter"] is null)
                {
                    using var deflated = new MemoryStream();
                    using (var z = new ZLibStream(deflated, CompressionLevel.Fastest, leaveOpen: true))
                    {
                        z.Write(content.Stream.Value);
                    }

                    content.Stream.Value = deflated.ToArray();
                    content.Elements.SetName("/Filter", "/FlateDecode");
                }
            }
        }

        using var output = new MemoryStream();
        _document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private static XStringFormat Format(XStringAlignment align) => align switch
    {
        XStringAlignment.Far => XStringFormats.TopRight,
        XStringAlignment.Center => XStringFormats.TopCenter,
        _ => XStringFormats.TopLeft,
    };

    public void Dispose()
    {
        _gfx?.Dispose();
        _measure.Dispose();
        _document.Dispose();
    }
}
