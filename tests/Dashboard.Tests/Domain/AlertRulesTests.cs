using Dashboard.Domain;

namespace Dashboard.Tests.Domain;

public class AlertRulesTests
{
    private const string Dismissed = "This alert has been dismissed.";
    private const string InBreach = "This alert is part of a proposed breach.";
    private const string Covered = "This alert was covered by an authorised absence.";
    private const string Closed = "This alert closed itself when the condition cleared.";
    private const string NotThatWay = "This alert cannot be changed that way.";

    /// <summary>Every action in every state, with a reason given: null where allowed, else the refusal's words.</summary>
    public static TheoryData<AlertAction, AlertState, string?> Table()
    {
        var rows = new Dictionary<(AlertAction, AlertState), string?>
        {
            [(AlertAction.Acknowledge, AlertState.Open)] = null,
            [(AlertAction.Acknowledge, AlertState.Acknowledged)] = "This alert has already been acknowledged.",
            [(AlertAction.Acknowledge, AlertState.Dismissed)] = Dismissed,
            [(AlertAction.Acknowledge, AlertState.BreachProposed)] = InBreach,
            [(AlertAction.Acknowledge, AlertState.Covered)] = Covered,
            [(AlertAction.Acknowledge, AlertState.Closed)] = Closed,
            [(AlertAction.Dismiss, AlertState.Open)] = null,
            [(AlertAction.Dismiss, AlertState.Acknowledged)] = null,
            [(AlertAction.Dismiss, AlertState.Dismissed)] = Dismissed,
            [(AlertAction.Dismiss, AlertState.BreachProposed)] = InBreach,
            [(AlertAction.Dismiss, AlertState.Covered)] = Covered,
            [(AlertAction.Dismiss, AlertState.Closed)] = Closed,
            [(AlertAction.ProposeBreach, AlertState.Open)] = null,
            [(AlertAction.ProposeBreach, AlertState.Acknowledged)] = null,
            [(AlertAction.ProposeBreach, AlertState.Dismissed)] = Dismissed,
            [(AlertAction.ProposeBreach, AlertState.BreachProposed)] = InBreach,
            [(AlertAction.ProposeBreach, AlertState.Covered)] = Covered,
            [(AlertAction.ProposeBreach, AlertState.Closed)] = Closed,
            [(AlertAction.ReturnFromBreach, AlertState.Open)] = NotThatWay,
            [(AlertAction.ReturnFromBreach, AlertState.Acknowledged)] = NotThatWay,
            [(AlertAction.ReturnFromBreach, AlertState.Dismissed)] = Dismissed,
            [(AlertAction.ReturnFromBreach, AlertState.BreachProposed)] = null,
            [(AlertAction.ReturnFromBreach, AlertState.Covered)] = Covered,
            [(AlertAction.ReturnFromBreach, AlertState.Closed)] = Closed,
            [(AlertAction.Close, AlertState.Open)] = null,
            [(AlertAction.Close, AlertState.Acknowledged)] = null,
            [(AlertAction.Close, AlertState.Dismissed)] = Dismissed,
            [(AlertAction.Close, AlertState.BreachProposed)] = InBreach,
            [(AlertAction.Close, AlertState.Covered)] = Covered,
            [(AlertAction.Close, AlertState.Closed)] = Closed,
            [(AlertAction.RecordExcuse, AlertState.Open)] = null,
            [(AlertAction.RecordExcuse, AlertState.Acknowledged)] = null,
            [(AlertAction.RecordExcuse, AlertState.Dismissed)] = null,
            [(AlertAction.RecordExcuse, AlertState.BreachProposed)] = null,
            [(AlertAction.RecordExcuse, AlertState.Covered)] = "This alert was covered by an authorised absence: no excuse is needed.",
            [(AlertAction.RecordExcuse, AlertState.Closed)] = null,
        };
        var data = new TheoryData<AlertAction, AlertState, string?>();
        foreach (var action in Enum.GetValues<AlertAction>())
        {
            foreach (var state in Enum.GetValues<AlertState>())
            {
                // A missing row fails here, so a new state or action cannot slip past the table.
                data.Add(action, state, rows[(action, state)]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Every_action_in_every_state_is_allowed_or_refused_in_words(AlertAction action, AlertState state, string? refusal)
    {
        Assert.Equal(refusal, AlertRules.Check(state, action, "The person phoned in from hospital.")?.Message);
    }

    [Theory]
    [InlineData(AlertState.Open)]
    [InlineData(AlertState.Acknowledged)]
    public void Dismissing_without_a_reason_is_refused(AlertState state)
    {
        Assert.Equal("Give a reason for dismissing this alert.", AlertRules.Check(state, AlertAction.Dismiss, null)?.Message);
        Assert.Equal("Give a reason for dismissing this alert.", AlertRules.Check(state, AlertAction.Dismiss, "   ")?.Message);
    }

    [Fact]
    public void An_excuse_needs_words_and_is_recorded_once()
    {
        Assert.Equal("Describe the reasonable excuse.", AlertRules.Check(AlertState.Open, AlertAction.RecordExcuse, " ")?.Message);
        Assert.Equal("A reasonable excuse is already recorded on this alert.",
            AlertRules.Check(AlertState.Acknowledged, AlertAction.RecordExcuse, "Bus broke down.", hasExcuse: true)?.Message);
    }

    [Theory]
    [InlineData(AlertAction.Dismiss)]
    [InlineData(AlertAction.RecordExcuse)]
    [InlineData(AlertAction.Acknowledge)]
    public void A_reason_over_two_thousand_characters_is_refused_whatever_the_action(AlertAction action)
    {
        Assert.Equal("Keep the reason under 2,000 characters.", AlertRules.Check(AlertState.Open, action, new string('x', 2001))?.Message);
        Assert.NotEqual("Keep the reason under 2,000 characters.", AlertRules.Check(AlertState.Open, action, new string('x', 2000))?.Message);
    }

    [Theory]
    [InlineData(AlertAction.Acknowledge, AlertState.Open, AlertState.Acknowledged)]
    [InlineData(AlertAction.Dismiss, AlertState.Open, AlertState.Dismissed)]
    [InlineData(AlertAction.Dismiss, AlertState.Acknowledged, AlertState.Dismissed)]
    [InlineData(AlertAction.ProposeBreach, AlertState.Open, AlertState.BreachProposed)]
    [InlineData(AlertAction.ProposeBreach, AlertState.Acknowledged, AlertState.BreachProposed)]
    [InlineData(AlertAction.ReturnFromBreach, AlertState.BreachProposed, AlertState.Acknowledged)]
    [InlineData(AlertAction.Close, AlertState.Open, AlertState.Closed)]
    [InlineData(AlertAction.Close, AlertState.Acknowledged, AlertState.Closed)]
    [InlineData(AlertAction.RecordExcuse, AlertState.Open, AlertState.Open)]
    [InlineData(AlertAction.RecordExcuse, AlertState.Dismissed, AlertState.Dismissed)]
    [InlineData(AlertAction.RecordExcuse, AlertState.BreachProposed, AlertState.BreachProposed)]
    public void Each_allowed_action_leads_to_its_state_and_an_excuse_changes_no_state(AlertAction action, AlertState from, AlertState to)
    {
        Assert.Null(AlertRules.Check(from, action, "reason"));
        Assert.Equal(to, AlertRules.After(action, from));
    }

    [Theory]
    [InlineData(AlertState.Open, false, true)]
    [InlineData(AlertState.Acknowledged, false, true)]
    [InlineData(AlertState.BreachProposed, false, true)]
    [InlineData(AlertState.Dismissed, false, false)]
    [InlineData(AlertState.Covered, false, false)]
    [InlineData(AlertState.Closed, false, false)]
    [InlineData(AlertState.Open, true, false)]
    [InlineData(AlertState.Acknowledged, true, false)]
    [InlineData(AlertState.BreachProposed, true, false)]
    [InlineData(AlertState.Dismissed, true, false)]
    public void Only_alerts_still_standing_without_a_reasonable_excuse_count_as_violations(AlertState state, bool hasExcuse, bool counts)
    {
        Assert.Equal(counts, AlertRules.CountsAsViolation(state, hasExcuse));
    }

    [Fact]
    public void Every_kind_and_state_has_words_of_its_own()
    {
        Assert.Equal(Enum.GetValues<AlertKind>().Length, Enum.GetValues<AlertKind>().Select(AlertRules.Describe).Distinct().Count());
        Assert.Equal(Enum.GetValues<AlertState>().Length, Enum.GetValues<AlertState>().Select(AlertRules.Describe).Distinct().Count());
        Assert.DoesNotContain(Enum.GetValues<AlertKind>(), k => AlertRules.Describe(k) == k.ToString());
    }
}
