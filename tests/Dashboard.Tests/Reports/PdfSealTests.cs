using System.Security.Cryptography;
using System.Text;
using Dashboard.Features.Reports.Pdf;

namespace Dashboard.Tests.Reports;

public class PdfSealTests
{
    private static byte[] Document()
    {
        var random = new byte[4000];
        new Random(7).NextBytes(random);
        return [.. Encoding.ASCII.GetBytes("%PDF-1.7\nBT (" + PdfSeal.Placeholder + ") Tj ET\n"), .. random, .. Encoding.ASCII.GetBytes("\n%%EOF\n")];
    }

    [Fact]
    public void The_fingerprint_is_the_sha256_of_the_file_with_zeros_in_its_place_and_checks_out()
    {
        var pdf = Document();
        var before = SHA256.HashData(pdf);

        var hash = PdfSeal.Seal(pdf);

        Assert.Equal(Convert.ToHexStringLower(before), hash);
        Assert.Contains(hash, Encoding.ASCII.GetString(pdf), StringComparison.Ordinal);
        Assert.Equal(hash, PdfSeal.Check(pdf));
    }

    [Fact]
    public void Any_changed_byte_fails_the_check_including_the_fingerprints_own()
    {
        var pdf = Document();
        var hash = PdfSeal.Seal(pdf);
        var at = Encoding.ASCII.GetString(pdf).IndexOf(hash, StringComparison.Ordinal);

        foreach (var index in new[] { 0, at - 1, at, at + 63, at + 64, pdf.Length / 2, pdf.Length - 1 })
        {
            var changed = (byte[])pdf.Clone();
            changed[index] = (byte)(changed[index] == (byte)'a' ? 'b' : changed[index] ^ 0x01);
            Assert.Null(PdfSeal.Check(changed));
        }
    }

    [Fact]
    public void A_document_without_exactly_one_placeholder_is_refused()
    {
        var none = Encoding.ASCII.GetBytes("%PDF-1.7 nothing here");
        var twice = Encoding.ASCII.GetBytes($"({PdfSeal.Placeholder}) ({PdfSeal.Placeholder})");

        Assert.Throws<InvalidOperationException>(() => PdfSeal.Seal(none));
        Assert.Throws<InvalidOperationException>(() => PdfSeal.Seal(twice));
    }

    [Theory]
    [InlineData(" AB12 ", null)]
    [InlineData("0f4b080f5665aa050d98c05675d316de62a71004a238cbdeb6eda3cc668c0730", "0f4b080f5665aa050d98c05675d316de62a71004a238cbdeb6eda3cc668c0730")]
    [InlineData("0F4B080F 5665AA05 0D98C056 75D316DE 62A71004 A238CBDE B6EDA3CC 668C0730", "0f4b080f5665aa050d98c05675d316de62a71004a238cbdeb6eda3cc668c0730")]
    public void A_typed_fingerprint_ignores_case_and_spaces(string typed, string? expected) =>
        Assert.Equal(expected, PdfSeal.Normalise(typed));
}
