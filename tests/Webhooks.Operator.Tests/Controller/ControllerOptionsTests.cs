using System.ComponentModel.DataAnnotations;
using Webhooks.Operator.Controller;

namespace Webhooks.Operator.Tests.Controller;

public sealed class ControllerOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndControllerRuntimes()
    {
        var options = new ControllerOptions();

        Assert.Empty(Validate(options));
        Assert.Equal(16, options.Workers);
        Assert.Empty(options.Namespaces);
        Assert.True(options.LeaderElection.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(15), options.LeaderElection.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), options.LeaderElection.RenewDeadline);
        Assert.Equal(TimeSpan.FromSeconds(2), options.LeaderElection.RetryPeriod);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.Queue.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(1000), options.Queue.MaxDelay);
    }

    [Fact]
    public void Validate_ReportsNestedOptionsWithTheirPath()
    {
        var options = new ControllerOptions { Workers = 0, Namespaces = ["team-a", " "] };
        options.Queue.BaseDelay = TimeSpan.FromHours(2);
        options.LeaderElection.RetryPeriod = TimeSpan.FromSeconds(12);

        var members = Validate(options).SelectMany(result => result.MemberNames).ToList();

        Assert.Contains(nameof(ControllerOptions.Workers), members);
        // Property errors stop validation before the object-level rules run, so check those separately.
        options.Workers = 1;
        members = [.. Validate(options).SelectMany(result => result.MemberNames)];
        Assert.Contains("Namespaces", members);
        Assert.Contains("Queue.BaseDelay", members);
        Assert.Contains("LeaderElection.RetryPeriod", members);
    }

    private static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
