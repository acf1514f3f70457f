namespace Webhooks.KubeApiServer.Validation;

/// <summary>Builds field paths the way field.Path prints them: <c>spec.headers[0].name</c>.</summary>
internal static class FieldPath
{
    public const string Root = "";

    public static string Child(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    public static string Key(string parent, string key) => $"{parent}[{key}]";

    /// <summary>field.Path prints a nil path as <c>&lt;nil&gt;</c>; errors on the root object show it.</summary>
    public static string Display(string path) => path.Length == 0 ? "<nil>" : path;
}
