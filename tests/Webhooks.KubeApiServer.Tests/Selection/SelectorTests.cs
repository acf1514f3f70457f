using Webhooks.KubeApiServer.Selection;

namespace Webhooks.KubeApiServer.Tests.Selection;

public sealed class SelectorTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["a"] = "b", ["tier"] = "web" };

    [Theory]
    [InlineData("", true)]
    [InlineData("a=b", true)]
    [InlineData("a==b", true)]
    [InlineData("a!=b", false)]
    [InlineData("c!=d", true)]
    [InlineData("tier in (web, db)", true)]
    [InlineData("tier notin (web)", false)]
    [InlineData("a,!missing", true)]
    [InlineData("!a", false)]
    [InlineData("a=b,tier in (db)", false)]
    public void Label_selector_matches_like_apimachinery(string selector, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Labels));

    [Theory]
    [InlineData("metadata.name=x", true)]
    [InlineData("metadata.name!=x", false)]
    [InlineData("metadata.name==x,metadata.namespace=ns", true)]
    [InlineData("metadata.namespace=other", false)]
    public void Field_selector_matches_field_values(string selector, bool expected)
    {
        var fields = new Dictionary<string, string> { ["metadata.name"] = "x", ["metadata.namespace"] = "ns" };
        Assert.Equal(expected, FieldSelector.Parse(selector).Matches(f => fields.GetValueOrDefault(f)));
    }
}
