using Xunit;

namespace Webhooks.KubeApiServer.CommandLine;

/// <summary>A fact that is skipped, with a one-line reason, when kubectl is not on PATH.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        if (Kubectl.Executable is null)
        {
            Skip = "kubectl is not on PATH";
        }
    }
}
