using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Webhooks.Dispatcher.Delivery;
using Webhooks.Dispatcher.Delivery.Destinations;

namespace Webhooks.Dispatcher.Tests.Delivery.Destinations;

public sealed class DestinationPolicyTests
{
    private static readonly DestinationPolicy Default = new([]);

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.254", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "CGNAT")]
    [InlineData("100.127.255.254", "CGNAT")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fc00::1", "private")]
    [InlineData("fd12:3456::1", "private")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:10.1.2.3", "private")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("64:ff9b::a00:1", "private")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    [InlineData("2002:a9fe:a9fe::1", "link-local")]
    [InlineData("::7f00:1", "loopback")]
    public void Evaluate_InternalAddress_IsBlockedWithItsKind(string address, string kind)
    {
        var verdict = Default.Evaluate(IPAddress.Parse(address));

        Assert.False(verdict.Allowed);
        Assert.Equal(kind, verdict.BlockedAs);
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("203.0.113.10")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void Evaluate_PublicAddress_IsAllowed(string address) =>
        Assert.True(Default.Evaluate(IPAddress.Parse(address)).Allowed);

    [Fact]
    public void Evaluate_MappedAddress_IsCheckedAndDialledAsIPv4()
    {
        var verdict = new DestinationPolicy([IPNetwork.Parse("127.0.0.0/8")]).Evaluate(IPAddress.Parse("::ffff:127.0.0.1"));

        Assert.True(verdict.Allowed);
        Assert.Equal(IPAddress.Parse("127.0.0.1"), verdict.Address);
    }

    [Fact]
    public void Evaluate_EmbeddedAddress_NamesWhereItLeads()
    {
        var verdict = Default.Evaluate(IPAddress.Parse("64:ff9b::a9fe:a9fe"));

        Assert.Equal("link-local via 169.254.169.254", verdict.Kind);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.200.3.4", true)]
    [InlineData("10.0.0.0/16", "10.1.0.1", false)]
    [InlineData("10.1.2.3", "10.1.2.3", true)]
    [InlineData("10.1.2.3", "10.1.2.4", false)]
    [InlineData("169.254.169.254/32", "169.254.169.254", true)]
    [InlineData("fd00::/8", "fd00::1", true)]
    [InlineData("::1/128", "::1", true)]
    [InlineData("127.0.0.0/8", "::1", false)]
    [InlineData("10.0.0.0/8", "64:ff9b::a00:1", true)]
    public void Evaluate_AllowListedRange_LetsItsAddressesThrough(string cidr, string address, bool allowed) =>
        Assert.Equal(allowed, DestinationPolicy.FromCidrs([cidr]).Evaluate(IPAddress.Parse(address)).Allowed);

    [Theory]
    [InlineData("10.0.0.0/33", "is not a CIDR")]
    [InlineData("10.0.0/8", "is not a CIDR")]
    [InlineData("0x0a000000/8", "is not a CIDR")]
    [InlineData("2130706433", "is not a CIDR")]
    [InlineData("localhost/8", "is not a CIDR")]
    [InlineData("10.0.0.5/8", "write 10.0.0.0/8 for the whole range, or 10.0.0.5/32 for the one host")]
    [InlineData("fd00::1/8", "write fd00::/8 for the whole range, or fd00::1/128 for the one host")]
    public void TryParseCidr_BadEntry_SaysWhatIsWrong(string value, string expected)
    {
        Assert.False(DestinationPolicy.TryParseCidr(value, out _, out var error));
        Assert.Contains($"'{value}'", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_BadAllowedCidr_FailsNamingTheEntry()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => DeliveryOptionsFrom(new() { ["Delivery:AllowedCidrs:0"] = "127.0.0.0/8", ["Delivery:AllowedCidrs:1"] = "10.0.0.0/33" }));

        Assert.Contains("Delivery:AllowedCidrs: '10.0.0.0/33' is not a CIDR", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_CommaSeparatedValue_FromTheEnvironment_IsSplit()
    {
        var options = DeliveryOptionsFrom(new() { ["Delivery:AllowedCidrs"] = "10.0.0.0/8, fd00::/8" });

        Assert.Equal(["10.0.0.0/8", "fd00::/8"], options.AllowedCidrs);
    }

    [Fact]
    public void Options_Default_AllowsNothingInternal() => Assert.Empty(DeliveryOptionsFrom([]).AllowedCidrs);

    /// <summary>The dispatcher's own registrations (AddDispatcher), configuration only: nothing is started.</summary>
    private static DeliveryOptions DeliveryOptionsFrom(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddDispatcher();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
    }
}
