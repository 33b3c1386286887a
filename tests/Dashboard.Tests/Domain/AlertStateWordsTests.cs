using Dashboard.Domain;

namespace Dashboard.Tests.Domain;

public class AlertStateWordsTests
{
    [Theory]
    [InlineData(AlertState.BreachProposed, null, "Breach proposed")]
    [InlineData(AlertState.BreachProposed, BreachState.Proposed, "Breach proposed")]
    [InlineData(AlertState.BreachProposed, BreachState.Confirmed, "Breach confirmed")]
    [InlineData(AlertState.Acknowledged, BreachState.Rejected, "Acknowledged")]
    [InlineData(AlertState.Open, null, "Open")]
    public void An_alert_in_a_decided_breach_says_how_the_breach_was_decided(AlertState state, BreachState? breach, string words) =>
        Assert.Equal(words, AlertRules.Describe(state, breach));
}
