using System.Globalization;
using Bunit;
using Dashboard.Components.Board;
using Dashboard.Domain;
using Dashboard.Features.Board;

namespace Dashboard.Tests.Components;

public class LiveFeedTests : ComponentTest
{
    private static readonly Guid First = Guid.Parse("f0000000-0000-0000-0000-000000000001");
    private static readonly Guid Second = Guid.Parse("f0000000-0000-0000-0000-000000000002");
    private static readonly Guid Third = Guid.Parse("f0000000-0000-0000-0000-000000000003");

    private static GetDashboard.FeedItem Item(Guid checkIn, string name, string caseRef, CheckInOutcome outcome, string capturedAt,
        double match = 0.9, double liveness = 0.9)
    {
        var at = DateTimeOffset.Parse(capturedAt, CultureInfo.InvariantCulture);
        return new(checkIn, Guid.NewGuid(), caseRef, name, outcome, at, at.AddSeconds(3), match, liveness);
    }

    private static readonly GetDashboard.FeedItem[] ThreeItems =
    [
        Item(Third, "Cleo Park", "EM-0003", CheckInOutcome.Failed, "2026-07-01T12:05:00Z", 0.41, 0.8),
        Item(Second, "Ben Okri", "EM-0002", CheckInOutcome.Borderline, "2026-07-01T11:30:00Z", 0.7, 0.65),
        Item(First, "Ada Lovelace", "EM-0001", CheckInOutcome.Verified, "2026-07-01T08:00:00Z", 0.93, 0.88),
    ];

    private IRenderedComponent<LiveFeed> RenderFeed(IEnumerable<GetDashboard.FeedItem> items, bool paused = false, int waiting = 0,
        Action? onTogglePause = null) =>
        Context.Render<LiveFeed>(p => p
            .Add(x => x.Items, items)
            .Add(x => x.Paused, paused)
            .Add(x => x.Waiting, waiting)
            .Add(x => x.OnTogglePause, onTogglePause ?? (() => { })));

    [Fact]
    public void Items_are_listed_in_the_order_given_newest_first()
    {
        var cut = RenderFeed(ThreeItems);

        var names = cut.FindAll("[data-testid=feed-item] .feed__who").Select(e => TextOf(e)).ToList();
        Assert.Equal(["Cleo Park EM-0003", "Ben Okri EM-0002", "Ada Lovelace EM-0001"], names);
    }

    [Fact]
    public void Each_item_links_to_its_check_in()
    {
        var cut = RenderFeed(ThreeItems);

        var hrefs = cut.FindAll("[data-testid=feed-item] a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal([$"/checkins/{Third}", $"/checkins/{Second}", $"/checkins/{First}"], hrefs);
    }

    [Fact]
    public void An_item_shows_outcome_name_case_reference_London_time_and_scores_to_two_decimals()
    {
        var cut = RenderFeed([Item(First, "Ada Lovelace", "EM-0001", CheckInOutcome.Borderline, "2026-07-01T12:05:00Z", 0.7, 0.6789)]);

        Assert.Equal("Borderline Ada Lovelace EM-0001 13:05 · match 0.70 · liveness 0.68", TextOf(cut.Find("[data-testid=feed-item] a")));
    }

    [Fact]
    public void A_winter_check_in_shows_the_same_clock_time_as_UTC()
    {
        var cut = RenderFeed([Item(First, "Ada Lovelace", "EM-0001", CheckInOutcome.Verified, "2026-01-15T12:05:00Z", 1, 0.005)]);

        Assert.Equal("12:05 · match 1.00 · liveness 0.01", TextOf(cut.Find(".feed__when")));
    }

    [Theory]
    [InlineData(CheckInOutcome.Verified, "Verified")]
    [InlineData(CheckInOutcome.Borderline, "Borderline")]
    [InlineData(CheckInOutcome.Failed, "Failed")]
    [InlineData(CheckInOutcome.Missed, "Missed")]
    public void Each_item_names_its_outcome_in_words(CheckInOutcome outcome, string word)
    {
        var cut = RenderFeed([Item(First, "Ada Lovelace", "EM-0001", outcome, "2026-07-01T12:05:00Z")]);

        Assert.Equal(word, TextOf(cut.Find("[data-testid=feed-item] .outcome")));
    }

    [Fact]
    public void The_pause_button_is_not_pressed_and_asks_the_feed_to_pause_when_clicked()
    {
        var toggles = 0;
        var cut = RenderFeed(ThreeItems, onTogglePause: () => toggles++);

        var button = cut.Find("button[aria-pressed]");
        Assert.Equal("Pause", TextOf(button));
        Assert.Equal("false", button.GetAttribute("aria-pressed"));
        Assert.Empty(cut.FindAll("[data-testid=feed-waiting]"));

        button.Click();

        Assert.Equal(1, toggles);
    }

    [Fact]
    public void When_paused_it_says_how_many_outcomes_wait_and_offers_to_resume()
    {
        var toggles = 0;
        var cut = RenderFeed(ThreeItems, paused: true, waiting: 3, onTogglePause: () => toggles++);

        Assert.Equal("Paused: 3 new outcomes are waiting. Resume to show them.", TextOf(cut.Find("[data-testid=feed-waiting]")));
        var button = cut.Find("button[aria-pressed]");
        Assert.Equal("Resume", TextOf(button));
        Assert.Equal("true", button.GetAttribute("aria-pressed"));

        button.Click();

        Assert.Equal(1, toggles);
    }

    [Fact]
    public void One_waiting_outcome_is_spoken_of_in_the_singular()
    {
        var cut = RenderFeed(ThreeItems, paused: true, waiting: 1);

        Assert.Equal("Paused: 1 new outcome is waiting. Resume to show them.", TextOf(cut.Find("[data-testid=feed-waiting]")));
    }

    [Fact]
    public void Pausing_and_resuming_switch_the_button_and_the_notice()
    {
        var cut = RenderFeed(ThreeItems);

        cut.Render(p => p.Add(x => x.Paused, true).Add(x => x.Waiting, 2));

        Assert.Equal("Resume", TextOf(cut.Find("button[aria-pressed]")));
        Assert.Equal("true", cut.Find("button[aria-pressed]").GetAttribute("aria-pressed"));
        Assert.Equal("Paused: 2 new outcomes are waiting. Resume to show them.", TextOf(cut.Find("[data-testid=feed-waiting]")));
        Assert.Equal(3, cut.FindAll("[data-testid=feed-item]").Count);

        cut.Render(p => p.Add(x => x.Paused, false).Add(x => x.Waiting, 0));

        Assert.Equal("Pause", TextOf(cut.Find("button[aria-pressed]")));
        Assert.Equal("false", cut.Find("button[aria-pressed]").GetAttribute("aria-pressed"));
        Assert.Empty(cut.FindAll("[data-testid=feed-waiting]"));
    }

    [Fact]
    public void An_empty_feed_says_there_are_no_check_ins_yet_today()
    {
        var cut = RenderFeed([]);

        Assert.Empty(cut.FindAll("[data-testid=feed-item]"));
        Assert.Contains("No check-ins yet today.", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void A_feed_with_items_does_not_say_there_are_none()
    {
        var cut = RenderFeed(ThreeItems);

        Assert.DoesNotContain("No check-ins yet today.", cut.Markup, StringComparison.Ordinal);
    }
}
