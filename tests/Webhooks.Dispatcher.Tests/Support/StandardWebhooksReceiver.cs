using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;
using Webhooks.TestSupport.Receivers;

namespace Webhooks.Dispatcher.Tests.Support;

/// <summary>
/// What a receiver does with the StandardWebhooks package (not with our code): verify a request
/// it got with the secret it was given.
/// </summary>
public static class StandardWebhooksReceiver
{
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static HeaderDictionary Headers(ReceivedRequest request)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in request.Headers)
        {
            headers.Append(name, value);
        }

        return headers;
    }

    /// <summary>The library's check, on the request exactly as received; throws <see cref="WebhookVerificationException"/> when it fails.</summary>
    public static void Verify(string secret, ReceivedRequest request) =>
        new StandardWebhook(secret).Verify(Encoding.UTF8.GetString(request.Body), Headers(request));

    /// <summary>
    /// Accepts when any <c>v1</c> signature verifies with <paramref name="secret"/>, giving the
    /// library one signature at a time: StandardWebhooks 1.1.2 never checks the last entry of a
    /// header holding several (see <c>SignatureTests.StandardWebhooks112_ChecksOnlyTheFirstOfTwoSignatures</c>),
    /// so a receiver still on the previous key during a rotation must split them itself.
    /// </summary>
    public static bool VerifiesWithAny(string secret, ReceivedRequest request)
    {
        var webhook = new StandardWebhook(secret);
        var body = Encoding.UTF8.GetString(request.Body);
        foreach (var signature in (request.Header("webhook-signature") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var headers = Headers(request);
            headers["webhook-signature"] = signature;
            try
            {
                webhook.Verify(body, headers);
                return true;
            }
            catch (WebhookVerificationException)
            {
                // Another entry may be signed with this secret.
            }
        }

        return false;
    }
}
