using System.Text.Json.Serialization;
using Webhooks.Dispatcher.Ingest;

namespace Webhooks.Dispatcher;

[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(IngestResponse))]
[JsonSerializable(typeof(IngestProblem))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
internal sealed partial class DispatcherJson : JsonSerializerContext;
