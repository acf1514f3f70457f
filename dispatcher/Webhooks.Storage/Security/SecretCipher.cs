using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Webhooks.Storage.Security;

/// <summary>
/// AES-256-GCM sealing of route secrets. A sealed blob is nonce (12 bytes) | ciphertext | tag
/// (16 bytes); the route's uid is bound as associated data so a blob cannot be moved to another
/// route.
/// </summary>
public sealed class SecretCipher
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Dictionary<string, byte[]> _keys;
    private readonly byte[] _hashKey;

    public SecretCipher(IOptions<EncryptionOptions> options)
    {
        var value = options.Value;
        _keys = LoadKeys(value);
        if (!_keys.TryGetValue(value.ActiveKeyId, out var active))
        {
            throw new OptionsValidationException(EncryptionOptions.SectionName, typeof(EncryptionOptions),
                [$"Encryption:ActiveKeyId '{value.ActiveKeyId}' names no configured key (known ids: {string.Join(", ", _keys.Keys)})"]);
        }

        ActiveKeyId = value.ActiveKeyId;
        // A keyed hash, so the stored content hash says nothing about the secrets behind it.
        _hashKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, active, 32, info: "webhooks route content hash"u8.ToArray());
    }

    public string ActiveKeyId { get; }

    public byte[] Seal(ReadOnlySpan<byte> plaintext, Guid associatedData)
    {
        var sealedBlob = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBlob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[ActiveKeyId], TagSize);
        aes.Encrypt(nonce, plaintext, sealedBlob.AsSpan(NonceSize, plaintext.Length), sealedBlob.AsSpan(NonceSize + plaintext.Length), associatedData.ToByteArray());
        return sealedBlob;
    }

    public byte[] Open(string keyId, ReadOnlySpan<byte> sealedBlob, Guid associatedData)
    {
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new CryptographicException($"Sealed with key '{keyId}', which this process does not have; mount it under Encryption:KeysPath.");
        }

        if (sealedBlob.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("Sealed blob is truncated.");
        }

        var plaintext = new byte[sealedBlob.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedBlob[..NonceSize], sealedBlob.Slice(NonceSize, plaintext.Length), sealedBlob[^TagSize..], plaintext, associatedData.ToByteArray());
        return plaintext;
    }

    public byte[] Hash(ReadOnlySpan<byte> content) => HMACSHA256.HashData(_hashKey, content);

    /// <summary>A fresh key in the form the key files hold, for setup tooling and tests.</summary>
    public static string GenerateKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static Dictionary<string, byte[]> LoadKeys(EncryptionOptions options)
    {
        var encoded = new Dictionary<string, string>(options.Keys, StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(options.KeysPath))
        {
            if (!Directory.Exists(options.KeysPath))
            {
                throw new OptionsValidationException(EncryptionOptions.SectionName, typeof(EncryptionOptions), [$"Encryption:KeysPath '{options.KeysPath}' does not exist"]);
            }

            // Kubernetes projects Secret keys as symlinks next to hidden ..data folders; skip those.
            foreach (var file in Directory.EnumerateFiles(options.KeysPath).Where(f => !Path.GetFileName(f).StartsWith('.')))
            {
                encoded[Path.GetFileName(file)] = File.ReadAllText(file).Trim();
            }
        }

        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, base64) in encoded)
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                throw new OptionsValidationException(EncryptionOptions.SectionName, typeof(EncryptionOptions), [$"Encryption key '{id}' is not valid base64"]);
            }

            if (key.Length != 32)
            {
                throw new OptionsValidationException(EncryptionOptions.SectionName, typeof(EncryptionOptions), [$"Encryption key '{id}' must be 32 bytes (AES-256), got {key.Length}"]);
            }

            keys[id] = key;
        }

        return keys;
    }
}
