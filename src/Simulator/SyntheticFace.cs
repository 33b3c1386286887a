#pragma warning disable CA5394 // Demo images only: no security depends on this randomness
using System.Numerics;

namespace Dashboard.Simulator;

/// <summary>
/// Draws deterministic cartoon portraits for demo data (enrolment photos and check-in selfies).
/// The person seed fixes the character; the variation nudges pose, lighting and expression the way
/// a new selfie would. The style is deliberately illustrative so it can never pass for a real face,
/// and the built-in JPEG encoder keeps the simulator free of imaging dependencies.
/// </summary>
public static class SyntheticFace
{
    private const double Outline = 0.008;

    private static readonly Rgb[] SkinTones =
    [
        new(255, 224, 196), new(247, 208, 170), new(234, 189, 150), new(214, 163, 120),
        new(190, 135, 95), new(160, 105, 70), new(128, 82, 56), new(96, 62, 44),
    ];

    private static readonly Rgb[] HairColours =
    [
        new(35, 30, 30), new(70, 45, 30), new(110, 70, 40), new(150, 90, 50),
        new(215, 165, 85), new(235, 205, 125), new(170, 60, 35), new(160, 160, 165),
    ];

    private static readonly Rgb[] Backgrounds =
    [
        new(170, 200, 235), new(190, 225, 200), new(240, 210, 170), new(220, 195, 235),
        new(245, 195, 190), new(195, 225, 230), new(235, 230, 180),
    ];

    private static readonly Rgb[] Shirts =
    [
        new(60, 110, 190), new(200, 70, 70), new(70, 150, 100), new(240, 170, 60),
        new(120, 80, 160), new(70, 75, 90), new(40, 150, 160), new(230, 120, 150),
    ];

    private static readonly Rgb[] EyeColours = [new(80, 55, 35), new(45, 95, 150), new(60, 115, 75), new(35, 30, 30)];

    private static readonly Rgb White = new(255, 255, 255);
    private static readonly Rgb Ink = new(45, 35, 35);
    private static readonly Rgb Lips = new(125, 42, 50);
    private static readonly Rgb Blush = new(240, 110, 110);

    private delegate double Sdf(double x, double y);

    /// <summary>Renders a synthetic portrait as a baseline JPEG (size x size pixels, colour).</summary>
    public static byte[] Render(int personSeed, int variation, int size = 240, int quality = 80)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 32);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);

        return JpegEncoder.Encode(Paint(new Canvas(size), personSeed, variation), size, quality);
    }

    private static byte[] Paint(Canvas c, int personSeed, int variation)
    {
        var person = new Random(Scramble(personSeed));
        var skin = Pick(person, SkinTones);
        var hair = Pick(person, HairColours);
        var background = Pick(person, Backgrounds);
        var shirt = Pick(person, Shirts);
        var iris = Pick(person, EyeColours);
        var hairStyle = person.Next(6);
        var glasses = person.NextDouble() < 0.3;
        var side = (person.Next(2) * 2) - 1;
        const double hx = 0.5, hy = 0.43;
        var sx = 0.17 + (person.NextDouble() * 0.05);
        var sy = 0.23 + (person.NextDouble() * 0.04);
        var eyeGap = sx * (0.38 + (person.NextDouble() * 0.1));
        var eyeY = hy + (sy * person.NextDouble() * 0.08);
        var eyeSize = 0.026 + (person.NextDouble() * 0.01);
        var browLean = (person.NextDouble() - 0.5) * 0.006;
        var mouthWidth = sx * (0.28 + (person.NextDouble() * 0.14));

        // A separate stream per check-in: repeat photos differ, but only enough to still read as the same person.
        var shot = new Random(Scramble(unchecked(Scramble(personSeed) + variation)));
        c.Frame((shot.NextDouble() - 0.5) * 0.05, (shot.NextDouble() - 0.5) * 0.04);
        c.Tilt((shot.NextDouble() - 0.5) * 0.16, hx, hy + sy);
        var expression = shot.Next(3);
        var gaze = (shot.NextDouble() - 0.5) * eyeSize * 0.6;

        c.Shade((x, y) => background.Scale(1.06 - (0.14 * y))
            .Mix(White, 0.3 * (1 - SmoothStep(0.1, 0.5, Math.Sqrt(Sq(x - 0.5) + Sq(y - 0.42))))));
        if (hairStyle == 1)
        {
            Outlined(c, (x, y) => RoundedBox(x, y, hx, hy + (sy * 0.3), sx * 1.22, sy * 1.08, sx * 0.7), hair);
        }

        // The body stays upright: people lean their head, not the whole torso, in a selfie.
        var shoulders = hy + (sy * 1.3);
        var shirtShape = new Sdf((x, y) => Ellipse(x, y, 0.5, shoulders + 0.3, 0.45, 0.3));
        c.Fill((x, y) => RoundedBox(x, y, hx, shoulders - (sy * 0.3), sx * 0.4, sy * 0.35, 0.02), skin.Scale(0.86), tilted: false);
        Outlined(c, shirtShape, shirt, tilted: false);
        c.Fill((x, y) => Math.Max(Ellipse(x, y, hx, shoulders, sx * 0.42, 0.04), shirtShape(x, y) - Outline), skin.Scale(0.86), tilted: false);
        c.Fill((x, y) => Curve(x, y, hx, shoulders + 0.038, sx * 0.4, -0.03, 0, 0.005), shirt.Scale(0.7), tilted: false);

        for (var s = -1; s <= 1; s += 2)
        {
            var ex = hx + (s * sx * 0.97);
            Outlined(c, (x, y) => Ellipse(x, y, ex, eyeY + (sy * 0.1), sx * 0.16, sy * 0.17), skin);
            c.Fill((x, y) => Ellipse(x, y, ex + (s * 0.004), eyeY + (sy * 0.1), sx * 0.08, sy * 0.1), skin.Scale(0.82), 0.7);
        }

        Outlined(c, (x, y) => Ellipse(x, y, hx, hy, sx, sy), skin);
        DrawHair(c, hairStyle, hair, hx, hy, sx, sy, side);

        for (var s = -1; s <= 1; s += 2)
        {
            var ex = hx + (s * eyeGap);
            var lid = new Sdf((x, y) => Ellipse(x, y, ex, eyeY, eyeSize * 1.25, eyeSize * 0.9));
            c.Fill((x, y) => lid(x, y) - 0.004, Ink);
            c.Fill(lid, White);
            c.Fill((x, y) => Math.Max(Circle(x, y, ex + gaze, eyeY, eyeSize * 0.62), lid(x, y)), iris);
            c.Fill((x, y) => Circle(x, y, ex + gaze, eyeY, eyeSize * 0.3), Ink);
            c.Fill((x, y) => Circle(x, y, ex + gaze - (eyeSize * 0.22), eyeY - (eyeSize * 0.25), eyeSize * 0.14), White);
            var browY = eyeY - (eyeSize * 1.9) - (expression == 2 ? 0.008 : 0);
            c.Fill((x, y) => Curve(x, y, ex, browY, eyeSize * 1.4, 0.007, s * browLean, 0.0055), hair.Scale(0.75));
            c.Fill((x, y) => Ellipse(x, y, hx + (s * sx * 0.58), hy + (sy * 0.38), sx * 0.17, sy * 0.08), Blush, 0.22);
            if (glasses)
            {
                c.Fill((x, y) => Math.Abs(Circle(x, y, ex, eyeY, eyeSize * 1.9)) - 0.005, Ink);
            }
        }

        if (glasses)
        {
            c.Fill((x, y) => Curve(x, y, hx, eyeY - (eyeSize * 0.4), eyeGap - (eyeSize * 1.9), 0.006, 0, 0.004), Ink);
        }

        var noseY = hy + (sy * 0.3);
        c.Fill((x, y) => Ellipse(x, y, hx, noseY, sx * 0.11, sy * 0.08), skin.Scale(0.85), 0.6);
        c.Fill((x, y) => Curve(x, y, hx, noseY + (sy * 0.07), sx * 0.08, 0.008, 0, 0.004), skin.Scale(0.6));

        var mouthY = hy + (sy * 0.58);
        if (expression == 2)
        {
            var grin = new Sdf((x, y) => Math.Max(Ellipse(x, y, hx, mouthY, mouthWidth, mouthWidth * 0.65), mouthY - y));
            c.Fill((x, y) => grin(x, y) - 0.004, Ink);
            c.Fill(grin, Lips.Scale(1.05));
            c.Fill((x, y) => Math.Max(grin(x, y), y - mouthY - (mouthWidth * 0.2)), White);
        }
        else
        {
            var bend = expression == 0 ? 0.02 : 0.008;
            c.Fill((x, y) => Curve(x, y, hx, mouthY + bend, mouthWidth, bend, 0, 0.006), Lips);
        }

        return c.Finish(0.88 + (shot.NextDouble() * 0.24), (shot.NextDouble() * 2) - 1, shot);
    }

    private static void DrawHair(Canvas c, int style, Rgb hair, double hx, double hy, double sx, double sy, int side)
    {
        // A buzz cut hugs the skull with a higher hairline; other styles sit on a fuller cap.
        var (bulk, hairline) = style == 3 ? (1.035, 0.14) : (1.08, 0.28);
        Sdf cap = (x, y) => Math.Max(
            Math.Max(Ellipse(x, y, hx, hy - (sy * 0.02), sx * bulk, sy * bulk), -Ellipse(x, y, hx + (side * sx * 0.08), hy + (sy * hairline), sx * 0.96, sy * 0.9)),
            y - (hy + (sy * 0.05)));
        if (style == 4)
        {
            Outlined(c, (x, y) => Circle(x, y, hx, hy - (sy * 1.12), sx * 0.36), hair);
        }

        Outlined(c, cap, hair);
        for (var i = 0; style == 2 && i <= 10; i++)
        {
            var a = Math.PI * (1 + (i / 10.0));
            var (cx, cy) = (hx + (sx * 1.02 * Math.Cos(a)), hy - (sy * 0.05) + (sy * 1.02 * Math.Sin(a)));
            Outlined(c, (x, y) => Circle(x, y, cx, cy, sx * 0.27), hair);
        }

        if (style == 5)
        {
            var fringe = new Sdf((x, y) => Ellipse(x, y, hx - (side * sx * 0.3), hy - (sy * 0.62), sx * 0.65, sy * 0.24));
            c.Fill((x, y) => Math.Max(fringe(x, y), Ellipse(x, y, hx, hy - (sy * 0.02), sx * 1.08, sy * 1.07)), hair);
        }
    }

    private static void Outlined(Canvas c, Sdf shape, Rgb fill, bool tilted = true)
    {
        c.Fill((x, y) => shape(x, y) - Outline, fill.Scale(0.55), tilted: tilted);
        c.Fill(shape, fill, tilted: tilted);
    }

    // Random folds a negative seed onto its absolute value (and 0 onto int.MaxValue), so -7 would be the same
    // person as 7; a bijective integer hash first keeps every distinct seed a distinct person.
    private static int Scramble(int value)
    {
        var h = unchecked((uint)value * 0x9E3779B1u);
        h = unchecked((h ^ (h >> 15)) * 0x85EBCA77u);
        return (int)((h ^ (h >> 13)) & 0x7FFFFFFF);
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static double Sq(double v) => v * v;

    private static double SmoothStep(double edge0, double edge1, double v)
    {
        var t = Math.Clamp((v - edge0) / (edge1 - edge0), 0, 1);
        return t * t * (3 - (2 * t));
    }

    private static double Circle(double x, double y, double cx, double cy, double r) => Math.Sqrt(Sq(x - cx) + Sq(y - cy)) - r;

    // Exact ellipse distance needs a quartic; this first-order estimate is accurate near the edge, which is all anti-aliasing needs.
    private static double Ellipse(double x, double y, double cx, double cy, double rx, double ry)
    {
        var k0 = Math.Sqrt(Sq((x - cx) / rx) + Sq((y - cy) / ry));
        var k1 = Math.Sqrt(Sq((x - cx) / (rx * rx)) + Sq((y - cy) / (ry * ry)));
        return k1 < 1e-9 ? -Math.Min(rx, ry) : k0 * (k0 - 1) / k1;
    }

    private static double RoundedBox(double x, double y, double cx, double cy, double hw, double hh, double r)
    {
        var qx = Math.Abs(x - cx) - hw + r;
        var qy = Math.Abs(y - cy) - hh + r;
        return Math.Sqrt(Sq(Math.Max(qx, 0)) + Sq(Math.Max(qy, 0))) + Math.Min(Math.Max(qx, qy), 0) - r;
    }

    // A parabolic stroke: positive bend lifts the ends (a smile), lean tilts it (eyebrows).
    private static double Curve(double x, double y, double cx, double cy, double halfWidth, double bend, double lean, double thickness)
    {
        var t = Math.Clamp(x - cx, -halfWidth, halfWidth);
        var u = t / halfWidth;
        var fy = cy - (bend * u * u) + (lean * u);
        if (Math.Abs(x - cx) > halfWidth)
        {
            return Math.Sqrt(Sq(x - cx - t) + Sq(y - fy)) - thickness;
        }

        var slope = ((-2 * bend * u) + lean) / halfWidth;
        return (Math.Abs(y - fy) / Math.Sqrt(1 + (slope * slope))) - thickness;
    }

    private readonly record struct Rgb(double R, double G, double B)
    {
        public Rgb Scale(double f) => new(R * f, G * f, B * f);

        public Rgb Mix(Rgb other, double t) => new(R + ((other.R - R) * t), G + ((other.G - G) * t), B + ((other.B - B) * t));
    }

    private sealed class Canvas(int size)
    {
        private readonly double[] _rgb = new double[size * size * 3];
        private double _shiftX, _shiftY, _pivotX, _pivotY, _sin, _cos = 1;

        public void Frame(double shiftX, double shiftY) => (_shiftX, _shiftY) = (shiftX, shiftY);

        public void Tilt(double angle, double pivotX, double pivotY) => (_sin, _cos, _pivotX, _pivotY) = (Math.Sin(angle), Math.Cos(angle), pivotX, pivotY);

        public void Shade(Func<double, double, Rgb> colourAt) => Each((k, x, y) => Blend(k, colourAt(x, y), 1));

        // Coverage from the signed distance across one pixel gives cheap anti-aliasing without supersampling.
        public void Fill(Sdf shape, Rgb colour, double opacity = 1, bool tilted = true) => Each((k, x, y) =>
        {
            (x, y) = (x - _shiftX - _pivotX, y - _shiftY - _pivotY);
            (x, y) = tilted ? (_pivotX + (x * _cos) + (y * _sin), _pivotY - (x * _sin) + (y * _cos)) : (x + _pivotX, y + _pivotY);
            Blend(k, colour, Math.Clamp(0.5 - (shape(x, y) * size), 0, 1) * opacity);
        });

        // Side light and luminance grain make repeat check-ins differ at the pixel level, as real selfies do.
        public byte[] Finish(double brightness, double lightSide, Random noise)
        {
            var pixels = new byte[_rgb.Length];
            Each((k, x, _) =>
            {
                var gain = brightness * (1 + (0.14 * lightSide * (x - 0.5)));
                var grain = (noise.NextDouble() - 0.5) * 6;
                for (var ch = k; ch < k + 3; ch++)
                {
                    pixels[ch] = (byte)Math.Clamp(Math.Round((_rgb[ch] * gain) + grain), 0, 255);
                }
            });
            return pixels;
        }

        private void Blend(int k, Rgb c, double alpha)
        {
            _rgb[k] += (c.R - _rgb[k]) * alpha;
            _rgb[k + 1] += (c.G - _rgb[k + 1]) * alpha;
            _rgb[k + 2] += (c.B - _rgb[k + 2]) * alpha;
        }

        private void Each(Action<int, double, double> body)
        {
            for (var j = 0; j < size; j++)
            {
                for (var i = 0; i < size; i++)
                {
                    body(((j * size) + i) * 3, (i + 0.5) / size, (j + 0.5) / size);
                }
            }
        }
    }

    // Baseline JPEG (ITU T.81): 4:2:0 YCbCr, Annex K quantisation and Huffman tables.
    private static class JpegEncoder
    {
        private static readonly byte[] ZigZag =
        [
            0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
            35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
        ];

        private static readonly byte[] LumaQuant =
        [
            16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
            18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
        ];

        private static readonly byte[] ChromaQuant =
        [
            17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
            99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
        ];

        private static readonly byte[] DcValues = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        private static readonly byte[] DcLumaBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
        private static readonly byte[] DcChromaBits = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
        private static readonly byte[] AcLumaBits = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
        private static readonly byte[] AcChromaBits = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];

        private static readonly byte[] AcLumaValues = Convert.FromHexString(
            "01020300041105122131410613516107227114328191A1082342B1C11552D1F02433627282090A161718191A25262728292A3435363738393A" +
            "434445464748494A535455565758595A636465666768696A737475767778797A838485868788898A92939495969798999AA2A3A4A5A6A7A8A9AA" +
            "B2B3B4B5B6B7B8B9BAC2C3C4C5C6C7C8C9CAD2D3D4D5D6D7D8D9DAE1E2E3E4E5E6E7E8E9EAF1F2F3F4F5F6F7F8F9FA");

        private static readonly byte[] AcChromaValues = Convert.FromHexString(
            "000102031104052131061241510761711322328108144291A1B1C109233352F0156272D10A162434E125F11718191A262728292A35363738393A" +
            "434445464748494A535455565758595A636465666768696A737475767778797A82838485868788898A92939495969798999AA2A3A4A5A6A7A8A9AA" +
            "B2B3B4B5B6B7B8B9BAC2C3C4C5C6C7C8C9CAD2D3D4D5D6D7D8D9DAE2E3E4E5E6E7E8E9EAF2F3F4F5F6F7F8F9FA");

        // Row u holds the scaled DCT-II basis C(u)/2 * cos((2x + 1)u pi / 16), so two passes give the 2-D transform.
        private static readonly double[] Cosines =
            [.. Enumerable.Range(0, 64).Select(i => (i < 8 ? Math.Sqrt(0.5) : 1) / 2 * Math.Cos(((2 * (i % 8)) + 1) * (i / 8) * Math.PI / 16))];

        public static byte[] Encode(byte[] rgb, int size, int quality)
        {
            var lumaQ = ScaleQuant(LumaQuant, quality);
            var chromaQ = ScaleQuant(ChromaQuant, quality);
            var padded = (size + 15) & ~15;
            var half = padded / 2;
            var yPlane = new double[padded * padded];
            var cbPlane = new double[half * half];
            var crPlane = new double[half * half];
            for (var y = 0; y < padded; y++)
            {
                for (var x = 0; x < padded; x++)
                {
                    // Edge replication keeps padding blocks flat, so they cost almost no bits and cause no ringing.
                    var k = ((Math.Min(y, size - 1) * size) + Math.Min(x, size - 1)) * 3;
                    double r = rgb[k], g = rgb[k + 1], b = rgb[k + 2];
                    yPlane[(y * padded) + x] = (0.299 * r) + (0.587 * g) + (0.114 * b);
                    var h = ((y / 2) * half) + (x / 2);
                    cbPlane[h] += ((-0.168736 * r) - (0.331264 * g) + (0.5 * b) + 128) / 4;
                    crPlane[h] += ((0.5 * r) - (0.418688 * g) - (0.081312 * b) + 128) / 4;
                }
            }

            using var output = new MemoryStream();
            output.Write([0xFF, 0xD8]);
            Segment(output, 0xE0, [0x4A, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
            Segment(output, 0xDB, [0, .. ZigZag.Select(i => lumaQ[i]), 1, .. ZigZag.Select(i => chromaQ[i])]);
            Segment(output, 0xC0, [8, (byte)(size >> 8), (byte)size, (byte)(size >> 8), (byte)size, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
            Segment(output, 0xC4, [0x00, .. DcLumaBits, .. DcValues, 0x10, .. AcLumaBits, .. AcLumaValues, 0x01, .. DcChromaBits, .. DcValues, 0x11, .. AcChromaBits, .. AcChromaValues]);
            Segment(output, 0xDA, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);

            var bits = new BitWriter(output);
            var dcLuma = HuffmanCodes(DcLumaBits, DcValues);
            var acLuma = HuffmanCodes(AcLumaBits, AcLumaValues);
            var dcChroma = HuffmanCodes(DcChromaBits, DcValues);
            var acChroma = HuffmanCodes(AcChromaBits, AcChromaValues);
            int prevY = 0, prevCb = 0, prevCr = 0;
            for (var my = 0; my < padded; my += 16)
            {
                for (var mx = 0; mx < padded; mx += 16)
                {
                    for (var b = 0; b < 4; b++)
                    {
                        EncodeBlock(bits, yPlane, padded, mx + ((b & 1) * 8), my + ((b >> 1) * 8), lumaQ, dcLuma, acLuma, ref prevY);
                    }

                    EncodeBlock(bits, cbPlane, half, mx / 2, my / 2, chromaQ, dcChroma, acChroma, ref prevCb);
                    EncodeBlock(bits, crPlane, half, mx / 2, my / 2, chromaQ, dcChroma, acChroma, ref prevCr);
                }
            }

            bits.Flush();
            output.Write([0xFF, 0xD9]);
            return output.ToArray();
        }

        private static void EncodeBlock(BitWriter bits, double[] plane, int stride, int x0, int y0, byte[] quant, int[] dc, int[] ac, ref int prevDc)
        {
            Span<double> rows = stackalloc double[64];
            for (var y = 0; y < 8; y++)
            {
                for (var u = 0; u < 8; u++)
                {
                    var sum = 0.0;
                    for (var x = 0; x < 8; x++)
                    {
                        sum += (plane[((y0 + y) * stride) + x0 + x] - 128) * Cosines[(u * 8) + x];
                    }

                    rows[(y * 8) + u] = sum;
                }
            }

            Span<int> coefficients = stackalloc int[64];
            for (var z = 0; z < 64; z++)
            {
                int v = ZigZag[z] / 8, u = ZigZag[z] % 8;
                var sum = 0.0;
                for (var y = 0; y < 8; y++)
                {
                    sum += rows[(y * 8) + u] * Cosines[(v * 8) + y];
                }

                var limit = z == 0 ? 2047 : 1023;
                coefficients[z] = Math.Clamp((int)Math.Round(sum / quant[ZigZag[z]], MidpointRounding.AwayFromZero), -limit, limit);
            }

            var diff = coefficients[0] - prevDc;
            prevDc = coefficients[0];
            var category = Category(diff);
            bits.Symbol(dc, category);
            bits.Write(diff < 0 ? diff - 1 : diff, category);
            var run = 0;
            for (var z = 1; z < 64; z++)
            {
                var value = coefficients[z];
                if (value == 0)
                {
                    run++;
                    continue;
                }

                for (; run > 15; run -= 16)
                {
                    bits.Symbol(ac, 0xF0);
                }

                category = Category(value);
                bits.Symbol(ac, (run << 4) | category);
                bits.Write(value < 0 ? value - 1 : value, category);
                run = 0;
            }

            if (run > 0)
            {
                bits.Symbol(ac, 0x00);
            }
        }

        private static int Category(int value) => 32 - BitOperations.LeadingZeroCount((uint)Math.Abs(value));

        private static void Segment(Stream output, byte marker, byte[] payload)
        {
            output.Write([0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
            output.Write(payload);
        }

        private static byte[] ScaleQuant(byte[] table, int quality)
        {
            // IJG's mapping, so "quality" means what users of libjpeg expect.
            var scale = quality < 50 ? 5000 / quality : 200 - (quality * 2);
            return [.. table.Select(q => (byte)Math.Clamp(((q * scale) + 50) / 100, 1, 255))];
        }

        // Canonical code assignment (T.81 Annex C); each entry packs the code length above the code bits.
        private static int[] HuffmanCodes(byte[] counts, byte[] symbols)
        {
            var table = new int[256];
            int code = 0, next = 0;
            for (var length = 1; length <= 16; length++, code <<= 1)
            {
                for (var n = 0; n < counts[length - 1]; n++, code++)
                {
                    table[symbols[next++]] = (length << 16) | code;
                }
            }

            return table;
        }

        private sealed class BitWriter(Stream output)
        {
            private int _accumulator;
            private int _count;

            public void Symbol(int[] table, int symbol) => Write(table[symbol] & 0xFFFF, table[symbol] >> 16);

            public void Write(int value, int length)
            {
                _accumulator = (_accumulator << length) | (value & ((1 << length) - 1));
                _count += length;
                while (_count >= 8)
                {
                    var b = (byte)(_accumulator >> (_count - 8));
                    output.WriteByte(b);
                    if (b == 0xFF)
                    {
                        output.WriteByte(0); // Byte stuffing so entropy data never looks like a marker.
                    }

                    _count -= 8;
                }

                _accumulator &= (1 << _count) - 1;
            }

            // Padding with 1-bits is what T.81 prescribes before a marker.
            public void Flush() => Write(0x7F, (8 - _count) % 8);
        }
    }
}
#pragma warning restore CA5394
