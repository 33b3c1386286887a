using Bunit;
using Dashboard.Components.CheckIns;

namespace Dashboard.Tests.Components;

public class ScoreScaleTests : ComponentTest
{
    private IRenderedComponent<ScoreScale> RenderScale(double value, double reject = 0.5, double accept = 0.8, string name = "Match") =>
        Context.Render<ScoreScale>(p => p
            .Add(x => x.Name, name)
            .Add(x => x.Value, value)
            .Add(x => x.Reject, reject)
            .Add(x => x.Accept, accept));

    private static string? StyleOf(IRenderedComponent<ScoreScale> cut, string selector) =>
        cut.Find(selector).GetAttribute("style")?.Trim();

    [Fact]
    public void Shows_the_name_and_the_value_to_two_decimals()
    {
        var cut = RenderScale(0.6589);

        Assert.Equal("Match 0.66", TextOf(cut.Find(".score-scale__caption")));
        Assert.Equal("0.66", TextOf(cut.Find(".score-scale__caption strong")));
    }

    [Fact]
    public void The_legend_gives_both_thresholds_to_two_decimals()
    {
        var cut = RenderScale(0.66);

        var legend = cut.FindAll(".score-scale__legend span").Select(e => TextOf(e)).ToList();
        Assert.Equal(["Reject below 0.50", "Accept from 0.80"], legend);
    }

    [Fact]
    public void The_figure_is_labelled_with_a_sentence_for_screen_readers()
    {
        var cut = RenderScale(0.66);

        Assert.Equal("Match score 0.66; the policy fails below 0.50 and accepts from 0.80.",
            cut.Find("figure.score-scale").GetAttribute("aria-label"));
    }

    [Fact]
    public void The_label_names_what_is_scored()
    {
        var cut = RenderScale(0.7, 0.6, 0.9, "Liveness");

        Assert.Equal("Liveness score 0.70; the policy fails below 0.60 and accepts from 0.90.",
            cut.Find("figure.score-scale").GetAttribute("aria-label"));
    }

    [Fact]
    public void The_track_and_legend_are_hidden_from_screen_readers()
    {
        var cut = RenderScale(0.66);

        Assert.Equal("true", cut.Find(".score-scale__track").GetAttribute("aria-hidden"));
        Assert.Equal("true", cut.Find(".score-scale__legend").GetAttribute("aria-hidden"));
    }

    [Fact]
    public void The_bands_are_as_wide_as_the_spans_between_thresholds()
    {
        var cut = RenderScale(0.66);

        Assert.Equal("width: 50%", StyleOf(cut, ".score-scale__band--failed"));
        Assert.Equal("width: 30%", StyleOf(cut, ".score-scale__band--borderline"));
        Assert.Equal("width: 20%", StyleOf(cut, ".score-scale__band--verified"));
    }

    [Fact]
    public void The_bands_come_in_order_failed_borderline_verified()
    {
        var cut = RenderScale(0.66);

        var bands = cut.FindAll(".score-scale__band").Select(b => b.GetAttribute("class")).ToList();
        Assert.Equal(["score-scale__band score-scale__band--failed", "score-scale__band score-scale__band--borderline", "score-scale__band score-scale__band--verified"], bands);
    }

    [Fact]
    public void The_marker_stands_at_the_score()
    {
        var cut = RenderScale(0.66);

        Assert.Equal("left: 66%", StyleOf(cut, ".score-scale__marker"));
    }

    [Theory]
    [InlineData(-0.2, "left: 0%")]
    [InlineData(0, "left: 0%")]
    [InlineData(1, "left: 100%")]
    [InlineData(1.7, "left: 100%")]
    public void The_marker_stays_on_the_track_for_scores_outside_zero_to_one(double value, string style)
    {
        var cut = RenderScale(value);

        Assert.Equal(style, StyleOf(cut, ".score-scale__marker"));
    }

    [Fact]
    public void Thresholds_outside_zero_to_one_do_not_make_bands_wider_than_the_track_or_negative()
    {
        var cut = RenderScale(0.5, reject: -0.1, accept: 1.3);

        Assert.Equal("width: 0%", StyleOf(cut, ".score-scale__band--failed"));
        Assert.Equal("width: 100%", StyleOf(cut, ".score-scale__band--borderline"));
        Assert.Equal("width: 0%", StyleOf(cut, ".score-scale__band--verified"));
    }

    [Fact]
    public void Fractional_percentages_keep_up_to_two_decimals()
    {
        var cut = RenderScale(0.12345);

        Assert.Equal("left: 12.35%", StyleOf(cut, ".score-scale__marker"));
    }
}
