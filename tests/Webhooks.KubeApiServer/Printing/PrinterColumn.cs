using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Printing;

/// <summary>
/// A Table column. <paramref name="Value"/> extracts the raw cell; columns of type <c>date</c> are
/// rendered as ages, as the API server does for <c>additionalPrinterColumns</c>.
/// </summary>
internal sealed record PrinterColumn(string Name, string Type, string Format, string Description, int Priority, Func<JsonObject, JsonNode?> Value)
{
    public static PrinterColumn Age { get; } = new(
        "Age",
        "date",
        string.Empty,
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
        0,
        obj => obj["metadata"]?["creationTimestamp"]?.DeepClone());
}
