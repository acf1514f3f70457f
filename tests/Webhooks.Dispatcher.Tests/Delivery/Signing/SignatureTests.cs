using System.Text;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;
using Webhooks.Dispatcher.Delivery.Signing;
using Webhooks.Dispatcher.Tests.Support;

namespace Webhooks.Dispatcher.Tests.Delivery.Signing;

/// <summary>The signature computation alone, against the StandardWebhooks package as the reference.</summary>
public sealed class SignatureTests
{
    private static readonly DateTimeOffset Now = new(2025, 11, 12, 12, 48, 0, TimeSpan.Zero);

    [Fact]
    public void Sign_OneKey_MatchesTheStandardWebhooksPackage()
    {
        var secret = StandardWebhooksReceiver.NewSecret();
        Assert.True(SigningKeys.TryDecode([secret], out var keys, out _));

        var ours = StandardWebhookSignature.Sign(keys, Samples.SeedEventId, StandardWebhookSignature.Timestamp(Now), Encoding.UTF8.GetBytes(Samples.SeedBody));

        Assert.Equal(new StandardWebhook(secret).Sign(Samples.SeedEventId, Now, Samples.SeedBody), ours);
    }

    [Fact]
    public void Sign_TwoKeys_GivesTwoSpaceSeparatedEntriesInKeyOrder()
    {
        string[] secrets = [StandardWebhooksReceiver.NewSecret(), StandardWebhooksReceiver.NewSecret()];
        Assert.True(SigningKeys.TryDecode(secrets, out var keys, out _));

        var header = StandardWebhookSignature.Sign(keys, "evt_1", "1762951680", "{}"u8);

        Assert.Equal(secrets.Select(s => new StandardWebhook(s).Sign("evt_1", DateTimeOffset.FromUnixTimeSeconds(1762951680), "{}")), header.Split(' '));
    }

    [Fact]
    public void Timestamp_IsUnixSeconds() => Assert.Equal("1762951680", StandardWebhookSignature.Timestamp(Now));

    [Theory]
    [InlineData("c2VjcmV0")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    [InlineData("WHSEC_c2VjcmV0")]
    public void TryDecode_MalformedKey_IsRefusedWithoutEchoingIt(string secret)
    {
        Assert.False(SigningKeys.TryDecode(["whsec_c2VjcmV0", secret], out _, out var error));

        Assert.Equal("signing key 2 of 2 is not of the form whsec_<base64>", error);
    }

    [Fact]
    public void TryDecode_NoKey_IsRefused() => Assert.False(SigningKeys.TryDecode([], out _, out _));

    /// <summary>
    /// Pins a defect of StandardWebhooks 1.1.2 that docs/receiving.md works around: given a header
    /// with several signatures, Verify never looks at the last one. When an upgrade fixes it, this
    /// fails, and receivers may pass the whole header again.
    /// </summary>
    [Fact]
    public void StandardWebhooks112_ChecksOnlyTheFirstOfTwoSignatures()
    {
        string[] secrets = [StandardWebhooksReceiver.NewSecret(), StandardWebhooksReceiver.NewSecret()];
        Assert.True(SigningKeys.TryDecode(secrets, out var keys, out _));
        var now = DateTimeOffset.UtcNow;
        var timestamp = StandardWebhookSignature.Timestamp(now);
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = "evt_1",
            ["webhook-timestamp"] = timestamp,
            ["webhook-signature"] = StandardWebhookSignature.Sign(keys, "evt_1", timestamp, "{}"u8),
        };

        new StandardWebhook(secrets[0]).Verify("{}", headers);
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(secrets[1]).Verify("{}", headers));
    }
}
