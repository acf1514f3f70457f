using System.ComponentModel.DataAnnotations;

namespace Webhooks.Storage.Security;

/// <summary>
/// Keys that seal secret-sourced route values. Both operator and dispatcher mount the same keys;
/// the operator seals with the active key, the dispatcher opens with whichever key a route names,
/// so a new key can be rolled out before it becomes active.
/// </summary>
public sealed class EncryptionOptions
{
    public const string SectionName = "Encryption";

    /// <summary>
    /// A directory (a mounted Kubernetes Secret) holding one file per key: the file name is the key
    /// id, the content the base64 of 32 random bytes.
    /// </summary>
    public string? KeysPath { get; set; }

    /// <summary>Keys given inline, id to base64; merged with <see cref="KeysPath"/>.</summary>
    public Dictionary<string, string> Keys { get; set; } = [];

    /// <summary>The key new routes are sealed with.</summary>
    [Required]
    public string ActiveKeyId { get; set; } = string.Empty;
}
