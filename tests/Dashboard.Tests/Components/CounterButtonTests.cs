using Bunit;
using Dashboard.Components.Board;
using Dashboard.Features.Board;

namespace Dashboard.Tests.Components;

public class CounterButtonTests : ComponentTest
{
    private IRenderedComponent<CounterButton> RenderCounter(string label, int count, bool pressed = false, CellOutcome? outcome = null,
        Action? onClick = null) =>
        Context.Render<CounterButton>(p => p
            .Add(x => x.Label, label)
            .Add(x => x.Count, count)
            .Add(x => x.Pressed, pressed)
            .Add(x => x.Outcome, outcome)
            .Add(x => x.OnClick, onClick ?? (() => { })));

    [Fact]
    public void Shows_the_label_and_the_count()
    {
        var cut = RenderCounter("Awaiting review", 7, outcome: CellOutcome.Borderline);

        var button = cut.Find("button");
        Assert.Equal("Awaiting review", TextOf(button.QuerySelector(".counter__label")!));
        Assert.Equal("7", TextOf(button.QuerySelector(".counter__count")!));
    }

    [Theory]
    [InlineData(false, "false")]
    [InlineData(true, "true")]
    public void Aria_pressed_says_whether_the_filter_is_on(bool pressed, string ariaPressed)
    {
        var cut = RenderCounter("Failed", 2, pressed, CellOutcome.Failed);

        Assert.Equal(ariaPressed, cut.Find("button").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void Aria_pressed_follows_the_filter_when_it_is_turned_on_and_off()
    {
        var cut = RenderCounter("Missed", 1, outcome: CellOutcome.Missed);

        cut.Render(p => p.Add(x => x.Pressed, true));
        Assert.Equal("true", cut.Find("button").GetAttribute("aria-pressed"));

        cut.Render(p => p.Add(x => x.Pressed, false));
        Assert.Equal("false", cut.Find("button").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void A_new_count_replaces_the_old()
    {
        var cut = RenderCounter("Verified", 3, outcome: CellOutcome.Verified);

        cut.Render(p => p.Add(x => x.Count, 4));

        Assert.Equal("4", TextOf(cut.Find(".counter__count")));
    }

    [Fact]
    public void Clicking_turns_the_filter_on_or_off()
    {
        var clicks = 0;
        var cut = RenderCounter("Open alerts", 1, onClick: () => clicks++);

        cut.Find("button").Click();
        cut.Find("button").Click();

        Assert.Equal(2, clicks);
    }

    [Theory]
    [InlineData(CellOutcome.Verified)]
    [InlineData(CellOutcome.Borderline)]
    [InlineData(CellOutcome.Failed)]
    [InlineData(CellOutcome.Missed)]
    public void An_outcome_counter_uses_the_same_icon_as_the_outcome_in_the_grid(CellOutcome outcome)
    {
        var counter = RenderCounter(outcome.ToString(), 1, outcome: outcome);
        var chip = Context.Render<OutcomeChip>(p => p.Add(x => x.Outcome, outcome));

        Assert.Equal(IconIn(chip.Find(".outcome")), IconIn(counter.Find("button")));
    }

    [Fact]
    public void The_alerts_counter_has_an_icon_unlike_any_outcome()
    {
        var alerts = IconIn(RenderCounter("Open alerts", 1).Find("button"));

        foreach (var outcome in Enum.GetValues<CellOutcome>())
        {
            var chip = Context.Render<OutcomeChip>(p => p.Add(x => x.Outcome, outcome));
            Assert.NotEqual(IconIn(chip.Find(".outcome")), alerts);
        }
    }
}
