using Bunit;
using Dashboard.Components.Breaches;
using Dashboard.Domain;

namespace Dashboard.Tests.Components;

public class BreachStateChipTests : ComponentTest
{
    [Theory]
    [InlineData(BreachState.Proposed, "Proposed")]
    [InlineData(BreachState.Confirmed, "Confirmed")]
    [InlineData(BreachState.Rejected, "Rejected")]
    [InlineData(BreachState.Withdrawn, "Withdrawn")]
    public void Every_state_shows_a_word_an_icon_and_says_what_it_means(BreachState state, string word)
    {
        var chip = Context.Render<BreachStateChip>(p => p.Add(x => x.State, state)).Find(".breach-state");

        Assert.Equal(word, TextOf(chip));
        Assert.NotEmpty(IconIn(chip));
        Assert.StartsWith(word, chip.GetAttribute("title"), StringComparison.Ordinal);
        Assert.True(chip.GetAttribute("title")!.Length > word.Length + 10);
    }

    [Fact]
    public void Each_state_has_its_own_icon()
    {
        var icons = Enum.GetValues<BreachState>()
            .Select(s => IconIn(Context.Render<BreachStateChip>(p => p.Add(x => x.State, s)).Find(".breach-state"))).ToList();

        Assert.Equal(icons.Count, icons.Distinct().Count());
    }
}
