using System.Globalization;
using AngleSharp.Dom;
using Bunit;
using Dashboard.Components.Board;
using Dashboard.Features.Board;

namespace Dashboard.Tests.Components;

public class PromptGridTests : ComponentTest
{
    private static readonly Guid AdaId = Guid.Parse("11111111-0000-0000-0000-000000000001");
    private static readonly Guid BenId = Guid.Parse("22222222-0000-0000-0000-000000000002");
    private static readonly Guid AdaCheckIn = Guid.Parse("aaaaaaaa-0000-0000-0000-00000000000a");

    private static DateTimeOffset Utc(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);

    private static GetDashboard.Cell CheckedIn(Guid checkIn, CellOutcome outcome, string at) =>
        new(Guid.NewGuid(), checkIn, outcome, Utc(at), Utc(at).AddMinutes(15));

    private static GetDashboard.Cell NoCheckIn(CellOutcome outcome, string dueAt) =>
        new(Guid.NewGuid(), null, outcome, Utc(dueAt), Utc(dueAt).AddMinutes(15));

    private static GetDashboard.Row Ada(params GetDashboard.Cell[] cells) =>
        new(AdaId, "EM-0001", "Ada Lovelace", cells, 0);

    private IRenderedComponent<PromptGrid> RenderGrid(params GetDashboard.Row[] rows) =>
        Context.Render<PromptGrid>(p => p.Add(x => x.Rows, rows));

    private static IElement[] PromptCells(IElement row) => row.QuerySelectorAll("td").Take(GetDashboard.MaxPromptsPerDay).ToArray();

    [Fact]
    public void The_columns_are_the_subject_five_prompts_and_open_alerts()
    {
        var cut = RenderGrid(Ada());

        var headings = cut.FindAll("thead th").Select(TextOf).ToList();
        Assert.Equal(["Subject", "Prompt 1", "Prompt 2", "Prompt 3", "Prompt 4", "Prompt 5", "Open alerts"], headings);
    }

    [Fact]
    public void Each_subject_gets_one_row_with_name_case_reference_and_a_link_to_their_page()
    {
        var cut = RenderGrid(Ada(), new GetDashboard.Row(BenId, "EM-0002", "Ben Okri", [], 0));

        var rows = cut.FindAll("tbody tr");
        Assert.Equal(2, rows.Count);

        var ada = rows[0].QuerySelector("th[scope=row]")!;
        Assert.Equal("Ada Lovelace EM-0001", TextOf(ada));
        var adaLink = ada.QuerySelector("a")!;
        Assert.Equal("Ada Lovelace", TextOf(adaLink));
        Assert.Equal($"/subjects/{AdaId}", adaLink.GetAttribute("href"));

        var ben = rows[1].QuerySelector("th[scope=row]")!;
        Assert.Equal("Ben Okri EM-0002", TextOf(ben));
        Assert.Equal($"/subjects/{BenId}", ben.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void Each_cell_shows_its_outcome_as_icon_and_word_with_the_London_time()
    {
        var cut = RenderGrid(Ada(
            CheckedIn(Guid.NewGuid(), CellOutcome.Verified, "2026-07-01T07:05:00Z"),
            CheckedIn(Guid.NewGuid(), CellOutcome.Borderline, "2026-07-01T09:40:00Z"),
            CheckedIn(Guid.NewGuid(), CellOutcome.Failed, "2026-07-01T12:05:00Z"),
            NoCheckIn(CellOutcome.Missed, "2026-07-01T15:00:00Z"),
            NoCheckIn(CellOutcome.Pending, "2026-07-01T19:30:00Z")));

        var cells = PromptCells(cut.Find("tbody tr"));
        Assert.Equal(("Verified", "08:05"), ChipIn(cells[0]));
        Assert.Equal(("Borderline", "10:40"), ChipIn(cells[1]));
        Assert.Equal(("Failed", "13:05"), ChipIn(cells[2]));
        Assert.Equal(("Missed", "16:00"), ChipIn(cells[3]));
        Assert.Equal(("Pending", "20:30"), ChipIn(cells[4]));

        var icons = cells.Select(IconIn).ToList();
        Assert.Equal(5, icons.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("2026-07-01T12:05:00Z", "13:05")] // summer time
    [InlineData("2026-01-15T12:05:00Z", "12:05")] // winter
    public void A_check_in_time_is_shown_in_London_time(string capturedAt, string shown)
    {
        var cut = RenderGrid(Ada(CheckedIn(AdaCheckIn, CellOutcome.Verified, capturedAt)));

        Assert.Equal(("Verified", shown), ChipIn(PromptCells(cut.Find("tbody tr"))[0]));
    }

    [Fact]
    public void A_cell_with_a_check_in_links_to_it_and_names_the_subject_and_prompt_for_screen_readers()
    {
        var cut = RenderGrid(Ada(
            NoCheckIn(CellOutcome.Missed, "2026-07-01T07:00:00Z"),
            CheckedIn(AdaCheckIn, CellOutcome.Failed, "2026-07-01T12:05:00Z")));

        var link = PromptCells(cut.Find("tbody tr"))[1].QuerySelector("a")!;
        Assert.Equal($"/checkins/{AdaCheckIn}", link.GetAttribute("href"));
        var hidden = link.QuerySelector(".visually-hidden")!;
        Assert.Contains("Ada Lovelace, prompt 2", TextOf(hidden), StringComparison.Ordinal);
        Assert.Equal(("Failed", "13:05"), ChipIn(link));
    }

    [Fact]
    public void A_cell_without_a_check_in_is_not_a_link()
    {
        var cut = RenderGrid(Ada(
            NoCheckIn(CellOutcome.Missed, "2026-07-01T07:00:00Z"),
            NoCheckIn(CellOutcome.Pending, "2026-07-01T19:00:00Z")));

        var cells = PromptCells(cut.Find("tbody tr"));
        Assert.Null(cells[0].QuerySelector("a"));
        Assert.Null(cells[1].QuerySelector("a"));
        Assert.Equal(("Missed", "08:00"), ChipIn(cells[0]));
        Assert.Equal(("Pending", "20:00"), ChipIn(cells[1]));
    }

    [Fact]
    public void A_day_with_fewer_than_five_prompts_shows_a_dash_in_the_rest()
    {
        var cut = RenderGrid(Ada(
            CheckedIn(AdaCheckIn, CellOutcome.Verified, "2026-07-01T07:05:00Z"),
            NoCheckIn(CellOutcome.Pending, "2026-07-01T12:00:00Z")));

        var cells = PromptCells(cut.Find("tbody tr"));
        Assert.Equal(GetDashboard.MaxPromptsPerDay, cells.Length);
        Assert.Equal(("Verified", "08:05"), ChipIn(cells[0]));
        Assert.Equal(("Pending", "13:00"), ChipIn(cells[1]));
        Assert.All(cells.Skip(2), cell => Assert.Equal("—", TextOf(cell)));
    }

    [Fact]
    public void A_subject_with_no_prompts_today_shows_a_dash_in_every_prompt_column()
    {
        var cut = RenderGrid(Ada());

        Assert.All(PromptCells(cut.Find("tbody tr")), cell => Assert.Equal("—", TextOf(cell)));
    }

    [Theory]
    [InlineData(0, "None")]
    [InlineData(1, "1")]
    [InlineData(12, "12")]
    public void The_open_alerts_column_shows_None_or_the_count(int openAlerts, string shown)
    {
        var cut = RenderGrid(Ada() with { OpenAlerts = openAlerts });

        var lastCell = cut.FindAll("tbody tr td")[^1];
        Assert.Equal(shown, TextOf(lastCell));
    }

    [Fact]
    public void An_empty_list_says_nothing_matches_the_filter()
    {
        var cut = RenderGrid();

        Assert.Empty(cut.FindAll("tbody tr"));
        Assert.Contains("Nothing matches this filter.", TextOf(cut.Find(".grid-scroll")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_with_rows_does_not_claim_nothing_matches()
    {
        var cut = RenderGrid(Ada());

        Assert.DoesNotContain("Nothing matches this filter.", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void New_rows_replace_the_old_when_the_filter_changes()
    {
        var cut = RenderGrid(Ada(), new GetDashboard.Row(BenId, "EM-0002", "Ben Okri", [], 2));

        cut.Render(p => p.Add(x => x.Rows, [new GetDashboard.Row(BenId, "EM-0002", "Ben Okri", [], 2)]));

        var rows = cut.FindAll("tbody tr");
        Assert.Single(rows);
        Assert.Equal("Ben Okri EM-0002", TextOf(rows[0].QuerySelector("th")!));

        cut.Render(p => p.Add(x => x.Rows, []));

        Assert.Empty(cut.FindAll("tbody tr"));
        Assert.Contains("Nothing matches this filter.", cut.Markup, StringComparison.Ordinal);
    }
}
