using Dashboard.Simulator;

namespace Dashboard.Tests.Simulator;

public class SyntheticFaceTests
{
    [Fact]
    public void A_demo_photo_is_a_jpeg_well_under_the_ingestion_limit()
    {
        var jpeg = SyntheticFace.Render(7, 0);

        Assert.Equal([0xFF, 0xD8, 0xFF], jpeg[..3]);
        Assert.Equal([0xFF, 0xD9], jpeg[^2..]);
        Assert.InRange(jpeg.Length, 1_000, 1024 * 1024);
    }

    [Fact]
    public void The_same_person_and_variation_give_the_same_photo_and_other_people_differ()
    {
        Assert.Equal(SyntheticFace.Render(7, 1), SyntheticFace.Render(7, 1));
        Assert.NotEqual(SyntheticFace.Render(7, 1), SyntheticFace.Render(7, 2));
        Assert.NotEqual(SyntheticFace.Render(7, 1), SyntheticFace.Render(8, 1));
    }
}
