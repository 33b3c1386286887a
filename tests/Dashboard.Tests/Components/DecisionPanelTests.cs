using AngleSharp.Dom;
using Bunit;
using Dashboard.Components.Reviews;
using Dashboard.Domain;
using Microsoft.AspNetCore.Components.Web;

namespace Dashboard.Tests.Components;

public class DecisionPanelTests : ComponentTest
{
    private readonly List<(ReviewDecision Decision, string? Reason)> _confirmed = [];

    private IRenderedComponent<DecisionPanel> RenderPanel(bool canDecide = true, string? blockedMessage = null) =>
        Context.Render<DecisionPanel>(p => p
            .Add(x => x.CanDecide, canDecide)
            .Add(x => x.BlockedMessage, blockedMessage)
            .Add(x => x.OnConfirm, ((ReviewDecision Decision, string? Reason) v) => _confirmed.Add(v)));

    private static Task Press(IRenderedComponent<DecisionPanel> cut, string key, bool ctrl = false) =>
        cut.InvokeAsync(() => cut.Instance.HandleKeyAsync(new KeyboardEventArgs { Key = key, CtrlKey = ctrl }));

    private static IElement ButtonNamed(IRenderedComponent<DecisionPanel> cut, string text) =>
        cut.FindAll("button").Single(b => TextOf(b) == text);

    private static IReadOnlyList<string> ChoiceTexts(IRenderedComponent<DecisionPanel> cut) =>
        cut.FindAll("button[data-decision]").Select(b => TextOf(b)).ToList();

    private static readonly string[] FourChoices =
    [
        "1 Same person, nothing of concern",
        "2 Same person, with a visible concern",
        "3 Not the same person",
        "4 Cannot tell",
    ];

    [Fact]
    public void Offers_four_decisions_each_with_its_key_and_description()
    {
        var cut = RenderPanel();

        Assert.Equal(FourChoices, ChoiceTexts(cut));
        Assert.Equal(["1", "2", "3", "4"], cut.FindAll("button[data-decision] kbd").Select(k => TextOf(k)).ToList());
        Assert.Empty(cut.FindAll("textarea"));
        Assert.False(cut.Instance.IsPending);
    }

    [Fact]
    public void The_descriptions_are_the_review_rules_own()
    {
        var cut = RenderPanel();

        var expected = DecisionPanel.Choices.Select(c => $"{c.Key} {ReviewRules.Describe(c.Decision)}").ToList();
        Assert.Equal(expected, ChoiceTexts(cut));
    }

    [Fact]
    public async Task Pressing_3_asks_to_confirm_not_the_same_person_with_a_required_reason()
    {
        var cut = RenderPanel();

        await Press(cut, "3");

        Assert.True(cut.Instance.IsPending);
        Assert.Equal("Not the same person: confirm?", TextOf(cut.Find("[data-testid=pending-decision]")));
        Assert.Equal("Reason (required)", TextOf(cut.Find("label[for=review-reason]")));
        Assert.Equal("true", cut.Find("textarea#review-reason").GetAttribute("aria-required"));
        Assert.True(ButtonNamed(cut, "Confirm decision").HasAttribute("disabled"));
        Assert.Empty(cut.FindAll("button[data-decision]"));
    }

    [Fact]
    public void Clicking_a_decision_asks_to_confirm_it()
    {
        var cut = RenderPanel();

        cut.Find("button[data-decision=CannotTell]").Click();

        Assert.Equal("Cannot tell: confirm?", TextOf(cut.Find("[data-testid=pending-decision]")));
        Assert.Equal("Reason (required)", TextOf(cut.Find("label[for=review-reason]")));
    }

    [Fact]
    public async Task Typing_a_reason_enables_confirm()
    {
        var cut = RenderPanel();
        await Press(cut, "3");

        cut.Find("textarea").Input("Different face shape");

        Assert.False(ButtonNamed(cut, "Confirm decision").HasAttribute("disabled"));
    }

    [Fact]
    public async Task A_blank_reason_does_not_enable_confirm()
    {
        var cut = RenderPanel();
        await Press(cut, "2");

        cut.Find("textarea").Input("   ");

        Assert.True(ButtonNamed(cut, "Confirm decision").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Ctrl_Enter_confirms_the_decision_with_its_reason()
    {
        var cut = RenderPanel();
        await Press(cut, "3");
        cut.Find("textarea").Input("Different face shape");

        await Press(cut, "Enter", ctrl: true);

        Assert.Equal([(ReviewDecision.NotSamePerson, (string?)"Different face shape")], _confirmed);
    }

    [Fact]
    public async Task Clicking_confirm_confirms_the_decision_with_its_reason()
    {
        var cut = RenderPanel();
        await Press(cut, "2");
        cut.Find("textarea").Input("Bruise on the cheek");

        ButtonNamed(cut, "Confirm decision").Click();

        Assert.Equal([(ReviewDecision.SamePersonWithConcern, (string?)"Bruise on the cheek")], _confirmed);
    }

    [Fact]
    public async Task Plain_Enter_does_not_confirm_when_a_reason_is_required()
    {
        var cut = RenderPanel();
        await Press(cut, "3");
        cut.Find("textarea").Input("Different face shape");

        await Press(cut, "Enter");

        Assert.Empty(_confirmed);
        Assert.True(cut.Instance.IsPending);
        Assert.Equal("Not the same person: confirm?", TextOf(cut.Find("[data-testid=pending-decision]")));
    }

    [Fact]
    public async Task Ctrl_Enter_without_a_required_reason_does_not_confirm()
    {
        var cut = RenderPanel();
        await Press(cut, "4");

        await Press(cut, "Enter", ctrl: true);

        Assert.Empty(_confirmed);
        Assert.True(cut.Instance.IsPending);
    }

    [Fact]
    public async Task Pressing_1_makes_the_reason_optional_and_confirm_enabled()
    {
        var cut = RenderPanel();

        await Press(cut, "1");

        Assert.Equal("Same person, nothing of concern: confirm?", TextOf(cut.Find("[data-testid=pending-decision]")));
        Assert.Equal("Reason (optional)", TextOf(cut.Find("label[for=review-reason]")));
        Assert.Equal("false", cut.Find("textarea#review-reason").GetAttribute("aria-required"));
        Assert.False(ButtonNamed(cut, "Confirm decision").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Key_1_then_plain_Enter_confirms_same_person_without_a_reason()
    {
        var cut = RenderPanel();

        await Press(cut, "1");
        await Press(cut, "Enter");

        var (decision, reason) = Assert.Single(_confirmed);
        Assert.Equal(ReviewDecision.SamePersonNoConcern, decision);
        Assert.True(string.IsNullOrEmpty(reason));
    }

    [Fact]
    public async Task An_optional_reason_is_passed_on_when_given()
    {
        var cut = RenderPanel();
        await Press(cut, "1");
        cut.Find("textarea").Input("Clear likeness");

        await Press(cut, "Enter");

        Assert.Equal([(ReviewDecision.SamePersonNoConcern, (string?)"Clear likeness")], _confirmed);
    }

    [Fact]
    public async Task Escape_returns_to_the_four_choices_without_confirming()
    {
        var cut = RenderPanel();
        await Press(cut, "3");
        cut.Find("textarea").Input("Different face shape");

        await Press(cut, "Escape");

        Assert.Empty(_confirmed);
        Assert.False(cut.Instance.IsPending);
        Assert.Equal(FourChoices, ChoiceTexts(cut));
        Assert.Empty(cut.FindAll("textarea"));
        Assert.Empty(cut.FindAll("[data-testid=pending-decision]"));
    }

    [Fact]
    public async Task The_cancel_button_returns_to_the_four_choices_and_forgets_the_reason()
    {
        var cut = RenderPanel();
        await Press(cut, "2");
        cut.Find("textarea").Input("Bruise on the cheek");

        ButtonNamed(cut, "Cancel (Esc)").Click();

        Assert.Empty(_confirmed);
        Assert.Equal(FourChoices, ChoiceTexts(cut));

        await Press(cut, "2");
        Assert.True(ButtonNamed(cut, "Confirm decision").HasAttribute("disabled"));
        Assert.True(string.IsNullOrEmpty(cut.Find("textarea").GetAttribute("value")));
    }

    [Fact]
    public async Task Other_keys_choose_nothing()
    {
        var cut = RenderPanel();

        await Press(cut, "5");
        await Press(cut, "Enter");
        await Press(cut, "a");

        Assert.False(cut.Instance.IsPending);
        Assert.Equal(FourChoices, ChoiceTexts(cut));
        Assert.Empty(_confirmed);
    }

    [Fact]
    public async Task Number_keys_do_not_change_a_pending_decision()
    {
        var cut = RenderPanel();
        await Press(cut, "3");

        await Press(cut, "1");

        Assert.Equal("Not the same person: confirm?", TextOf(cut.Find("[data-testid=pending-decision]")));
    }

    [Fact]
    public async Task When_the_user_may_not_decide_it_shows_why_and_ignores_keys()
    {
        var cut = RenderPanel(canDecide: false, blockedMessage: "Sam Jones is reviewing this check-in.");

        Assert.Equal("Sam Jones is reviewing this check-in.", TextOf(cut.Find("[data-testid=claimed-elsewhere]")));
        Assert.Empty(cut.FindAll("button"));

        await Press(cut, "1");
        await Press(cut, "Enter");
        await Press(cut, "3");
        await Press(cut, "Enter", ctrl: true);

        Assert.False(cut.Instance.IsPending);
        Assert.Empty(cut.FindAll("button"));
        Assert.Empty(cut.FindAll("textarea"));
        Assert.Empty(_confirmed);
    }
}
