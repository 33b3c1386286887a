using AngleSharp.Dom;
using Bunit;
using Dashboard.Components.Breaches;
using Dashboard.Domain;

namespace Dashboard.Tests.Components;

public class BreachDecisionPanelTests : ComponentTest
{
    private readonly List<(BreachAction Action, string Reason)> _decided = [];

    private IRenderedComponent<BreachDecisionPanel> RenderPanel(bool confirmOrReject, bool withdraw) =>
        Context.Render<BreachDecisionPanel>(p => p
            .Add(x => x.Number, "B-2026-000042")
            .Add(x => x.CanConfirmOrReject, confirmOrReject)
            .Add(x => x.CanWithdraw, withdraw)
            .Add(x => x.OnDecide, ((BreachAction Action, string Reason) v) => _decided.Add(v)));

    private static IReadOnlyList<string> Buttons(IRenderedComponent<BreachDecisionPanel> cut) =>
        cut.FindAll("button").Select(b => TextOf(b)).ToList();

    private static IElement ButtonNamed(IRenderedComponent<BreachDecisionPanel> cut, string text) =>
        cut.FindAll("button").Single(b => TextOf(b) == text);

    [Fact]
    public void A_supervisor_who_may_decide_is_offered_confirm_and_reject_but_not_withdraw()
    {
        Assert.Equal(["Confirm breach", "Reject breach"], Buttons(RenderPanel(confirmOrReject: true, withdraw: false)));
    }

    [Fact]
    public void The_proposer_is_offered_only_withdraw()
    {
        Assert.Equal(["Withdraw proposal"], Buttons(RenderPanel(confirmOrReject: false, withdraw: true)));
    }

    [Fact]
    public void Without_a_reason_nothing_is_sent_and_the_error_is_tied_to_the_reason_box()
    {
        var cut = RenderPanel(confirmOrReject: true, withdraw: false);

        ButtonNamed(cut, "Confirm breach").Click();

        Assert.Empty(_decided);
        Assert.Equal("Give a reason for confirming this breach.", TextOf(cut.Find("#breach-reason-error")));
        Assert.Equal("breach-reason-error", cut.Find("textarea").GetAttribute("aria-describedby"));
        Assert.Equal("true", cut.Find("textarea").GetAttribute("aria-invalid"));
    }

    [Fact]
    public void A_decision_is_confirmed_once_more_before_it_is_sent_and_can_be_taken_back()
    {
        var cut = RenderPanel(confirmOrReject: true, withdraw: false);
        cut.Find("textarea").Input("The photo is of someone else.");

        ButtonNamed(cut, "Reject breach").Click();
        Assert.Empty(_decided);
        Assert.Contains("Reject breach B-2026-000042?", TextOf(cut.Find("[data-testid=breach-pending]")), StringComparison.Ordinal);
        ButtonNamed(cut, "Go back").Click();
        ButtonNamed(cut, "Confirm breach").Click();
        ButtonNamed(cut, "Yes, confirm the breach").Click();

        Assert.Equal([(BreachAction.Confirm, "The photo is of someone else.")], _decided);
    }
}
