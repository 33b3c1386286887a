using Dashboard.Data;

namespace Dashboard.Tests.Data;

public class SqlLikeTests
{
    [Theory]
    [InlineData(" Rahman ", "%Rahman%")]
    [InlineData("EM_2026", "%EM\\_2026%")]
    [InlineData("100%", "%100\\%%")]
    [InlineData("a\\b", "%a\\\\b%")]
    public void A_search_matches_what_was_typed_and_its_wildcards_only_match_themselves(string typed, string pattern) =>
        Assert.Equal(pattern, SqlLike.Containing(typed));
}
