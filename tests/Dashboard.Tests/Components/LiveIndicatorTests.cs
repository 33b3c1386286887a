using System.Globalization;
using Bunit;
using Dashboard.Components.Board;
using Dashboard.Live;

namespace Dashboard.Tests.Components;

public class LiveIndicatorTests : ComponentTest
{
    private IRenderedComponent<LiveIndicator> RenderIndicator(LiveState state, string asOf = "2026-07-01T12:05:00Z") =>
        Context.Render<LiveIndicator>(p => p
            .Add(x => x.State, state)
            .Add(x => x.AsOf, DateTimeOffset.Parse(asOf, CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData(LiveState.Connecting, "Connecting…")]
    [InlineData(LiveState.Connected, "Live")]
    [InlineData(LiveState.Reconnecting, "Reconnecting… updates will catch up")]
    public void Says_in_words_how_the_live_connection_stands(LiveState state, string words)
    {
        var cut = RenderIndicator(state);

        Assert.Equal(words, TextOf(cut.Find("[data-testid=live-state]")));
    }

    [Theory]
    [InlineData("2026-07-01T12:05:00Z", "13:05")] // summer time
    [InlineData("2026-01-15T12:05:00Z", "12:05")] // winter
    public void When_not_live_it_says_how_old_the_data_is_in_London_time(string asOf, string shown)
    {
        var cut = RenderIndicator(LiveState.Disconnected, asOf);

        Assert.Equal($"Not live: showing data as of {shown}", TextOf(cut.Find("[data-testid=live-state]")));
    }

    [Fact]
    public void Changes_are_announced_politely_to_screen_readers()
    {
        var cut = RenderIndicator(LiveState.Connected);

        var status = cut.Find("[data-testid=live-state]");
        Assert.Equal("status", status.GetAttribute("role"));
        Assert.Equal("polite", status.GetAttribute("aria-live"));
        Assert.Equal("true", status.QuerySelector("svg")!.GetAttribute("aria-hidden"));
    }

    [Fact]
    public void Live_reconnecting_and_not_live_each_have_their_own_icon()
    {
        var icons = new[] { LiveState.Connected, LiveState.Reconnecting, LiveState.Disconnected }
            .Select(state => IconIn(RenderIndicator(state).Find("[data-testid=live-state]")))
            .ToList();

        Assert.Equal(3, icons.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Losing_the_connection_changes_the_words_in_place()
    {
        var cut = RenderIndicator(LiveState.Connected);

        cut.Render(p => p.Add(x => x.State, LiveState.Reconnecting));
        Assert.Equal("Reconnecting… updates will catch up", TextOf(cut.Find("[data-testid=live-state]")));

        cut.Render(p => p.Add(x => x.State, LiveState.Disconnected));
        Assert.Equal("Not live: showing data as of 13:05", TextOf(cut.Find("[data-testid=live-state]")));

        cut.Render(p => p.Add(x => x.State, LiveState.Connected));
        Assert.Equal("Live", TextOf(cut.Find("[data-testid=live-state]")));
    }
}
