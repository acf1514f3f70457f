using Webhooks.Storage.Routes;

namespace Webhooks.Operator.Tests.Reconciliation;

public sealed class SigningKeyRotationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Overlap = TimeSpan.FromHours(24);

    [Fact]
    public void FirstKey_IsStoredAlone() => AssertNext(["new"], null, wanted: ["new"], stored: [], storedEnd: null);

    [Fact]
    public void ChangedKey_KeepsThePreviousOneForTheOverlap() => AssertNext(["new", "old"], Now + Overlap, wanted: ["new"], stored: ["old"], storedEnd: null);

    [Fact]
    public void OverlapInProgress_Continues() => AssertNext(["new", "old"], Now.AddHours(3), wanted: ["new"], stored: ["new", "old"], storedEnd: Now.AddHours(3));

    [Fact]
    public void OverlapOver_DropsThePreviousKey() => AssertNext(["new"], null, wanted: ["new"], stored: ["new", "old"], storedEnd: Now.AddSeconds(-1));

    [Fact]
    public void RollingBackToThePreviousKey_StartsANewOverlapWithoutDuplicates() =>
        AssertNext(["old", "new"], Now + Overlap, wanted: ["old"], stored: ["new", "old"], storedEnd: Now.AddHours(3));

    [Fact]
    public void NoOverlapConfigured_SwitchesAtOnce()
    {
        var (keys, ends) = SigningKeyRotation.Next(["new"], ["old"], null, TimeSpan.Zero, Now);

        Assert.Equal(["new"], keys);
        Assert.Null(ends);
    }

    private static void AssertNext(string[] expectedKeys, DateTimeOffset? expectedEnd, string[] wanted, string[] stored, DateTimeOffset? storedEnd)
    {
        var (keys, ends) = SigningKeyRotation.Next(wanted, stored, storedEnd, Overlap, Now);

        Assert.Equal(expectedKeys, keys);
        Assert.Equal(expectedEnd, ends);
    }
}
