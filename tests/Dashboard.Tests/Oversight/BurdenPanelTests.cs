using Bunit;
using Dashboard.Components.Oversight;
using Dashboard.Domain;
using Dashboard.Features.Oversight;
using Dashboard.Tests.Components;

namespace Dashboard.Tests.Oversight;

public class BurdenPanelTests : ComponentTest
{
    private static GetCheckInBurden.Result Burden()
    {
        var first = new DateOnly(2026, 10, 29);
        var days = Enumerable.Range(0, 30).Select(i => new GetCheckInBurden.Day(first.AddDays(i), 5, 4, 1, 0, 0)).ToList();
        days[10] = days[10] with { Prompts = 6, Answered = 5, OutsideWindow = 1, Reprompts = 1 };
        return new GetCheckInBurden.Result(first, first.AddDays(29), new TimeOnly(8, 0), new TimeOnly(21, 0), days,
            [new("Under 2 min", 100), new("2 to 5 min", 15), new("5 to 10 min", 5), new("10 to 15 min", 1), new("15 min or later", 0)],
            30, TimeSpan.FromMinutes(1.5), [new(DeviceEventKind.StrapTamper, 2), new(DeviceEventKind.LowBattery, 0)]);
    }

    [Fact]
    public void The_chart_says_its_figures_in_words_and_the_day_table_holds_every_day()
    {
        var cut = Context.Render<BurdenPanel>(p => p.Add(x => x.Burden, Burden()));

        var label = cut.Find("svg[role='img']").GetAttribute("aria-label");
        Assert.Contains("151 prompts, 121 answered, 30 missed, 1 outside waking hours", label, StringComparison.Ordinal);
        Assert.Equal(30, cut.FindAll("[data-testid='burden-days'] tbody tr").Count);
        Assert.Equal("1", TextOf(cut.Find("[data-testid='burden-outside']")));
        var tamper = cut.FindAll("[data-testid='burden-faults'] tbody tr")[0];
        Assert.Equal(("Strap tamper", "2"), (TextOf(tamper.QuerySelector("th")!), TextOf(tamper.QuerySelector("td")!)));
    }

    [Fact]
    public void A_day_with_a_prompt_outside_waking_hours_is_marked_by_a_shape_not_only_a_colour()
    {
        var cut = Context.Render<BurdenPanel>(p => p.Add(x => x.Burden, Burden()));

        Assert.Single(cut.FindAll("svg[role='img'] path.burden__outside"));
        Assert.Equal(30, cut.FindAll("svg[role='img'] rect[fill='url(#burden-hatch)']").Count);
    }
}
