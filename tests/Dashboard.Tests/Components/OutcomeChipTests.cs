using Bunit;
using Dashboard.Components.Board;
using Dashboard.Features.Board;

namespace Dashboard.Tests.Components;

public class OutcomeChipTests : ComponentTest
{
    [Theory]
    [InlineData(CellOutcome.Verified, "Verified")]
    [InlineData(CellOutcome.VerifiedByReview, "Verified by review")]
    [InlineData(CellOutcome.Borderline, "Borderline")]
    [InlineData(CellOutcome.Failed, "Failed")]
    [InlineData(CellOutcome.Missed, "Missed")]
    [InlineData(CellOutcome.Pending, "Pending")]
    public void Each_outcome_is_named_in_words_beside_an_icon_hidden_from_screen_readers(CellOutcome outcome, string word)
    {
        var cut = Context.Render<OutcomeChip>(p => p.Add(x => x.Outcome, outcome));

        Assert.Equal((word, null), ChipIn(cut.Find(".outcome")));
        Assert.Equal(word, TextOf(cut.Find(".outcome")));
        Assert.Equal("true", cut.Find("svg").GetAttribute("aria-hidden"));
    }

    [Fact]
    public void Every_outcome_has_its_own_icon_so_colour_is_never_the_only_signal()
    {
        var icons = Enum.GetValues<CellOutcome>()
            .Select(outcome => IconIn(Context.Render<OutcomeChip>(p => p.Add(x => x.Outcome, outcome)).Find(".outcome")))
            .ToList();

        Assert.Equal(Enum.GetValues<CellOutcome>().Length, icons.Distinct(StringComparer.Ordinal).Count());
        Assert.All(icons, icon => Assert.False(string.IsNullOrWhiteSpace(icon)));
    }

    [Theory]
    [InlineData(CellOutcome.Verified)]
    [InlineData(CellOutcome.VerifiedByReview)]
    [InlineData(CellOutcome.Borderline)]
    [InlineData(CellOutcome.Failed)]
    [InlineData(CellOutcome.Missed)]
    [InlineData(CellOutcome.Pending)]
    public void The_tooltip_starts_with_the_outcome_and_explains_it(CellOutcome outcome)
    {
        var cut = Context.Render<OutcomeChip>(p => p.Add(x => x.Outcome, outcome));

        var title = cut.Find(".outcome").GetAttribute("title") ?? "";
        Assert.StartsWith($"{OutcomeChip.WordFor(outcome)}: ", title, StringComparison.Ordinal);
        Assert.True(title.Length > outcome.ToString().Length + 10, $"Tooltip too short to explain anything: '{title}'");
    }

    [Theory]
    [InlineData("2026-07-01T12:05:00Z", "13:05")] // British Summer Time: UTC+1
    [InlineData("2026-01-15T12:05:00Z", "12:05")] // Greenwich Mean Time: UTC+0
    [InlineData("2026-03-29T00:30:00Z", "00:30")] // half an hour before the clocks go forward
    [InlineData("2026-03-29T01:30:00Z", "02:30")] // half an hour after
    public void A_time_is_shown_as_London_time(string utc, string shown)
    {
        var cut = Context.Render<OutcomeChip>(p => p
            .Add(x => x.Outcome, CellOutcome.Verified)
            .Add(x => x.At, DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(("Verified", shown), ChipIn(cut.Find(".outcome")));
    }

    [Fact]
    public void Without_a_time_only_the_word_is_shown()
    {
        var cut = Context.Render<OutcomeChip>(p => p.Add(x => x.Outcome, CellOutcome.Failed));

        Assert.Equal(("Failed", null), ChipIn(cut.Find(".outcome")));
        Assert.Equal("Failed", TextOf(cut.Find(".outcome")));
    }
}
