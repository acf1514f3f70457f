using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Printing;

namespace Webhooks.KubeApiServer.Tests.Printing;

public sealed class PrintingUnitTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(200, "3m20s")]
    [InlineData(60 * 15, "15m")]
    [InlineData(3600 * 5 + 60 * 7, "5h7m")]
    [InlineData(3600 * 30, "30h")]
    [InlineData(3600 * 24 * 3 + 3600 * 2, "3d2h")]
    [InlineData(3600 * 24 * 100, "100d")]
    [InlineData(3600 * 24 * 365 * 3, "3y")]
    public void Human_duration_matches_apimachinery(int seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(".spec.url", "\"u\"")]
    [InlineData(".spec.items[1].name", "\"second\"")]
    [InlineData(".status.conditions[?(@.type==\"Ready\")].status", "\"True\"")]
    [InlineData(".metadata.labels['app.kubernetes.io/name']", "\"web\"")]
    [InlineData(".spec.items[*].name", "\"first\",\"second\"")]
    [InlineData(".spec.missing", "")]
    public void Json_path_subset_selects_values(string path, string expected)
    {
        var obj = JsonNode.Parse("""
            {"metadata":{"labels":{"app.kubernetes.io/name":"web"}},
             "spec":{"url":"u","items":[{"name":"first"},{"name":"second"}]},
             "status":{"conditions":[{"type":"Synced","status":"False"},{"type":"Ready","status":"True"}]}}
            """);
        var results = JsonPathExpression.Parse(path).Evaluate(obj);
        Assert.Equal(expected, string.Join(",", results.Select(r => r!.ToJsonString())));
    }
}
