using System.Globalization;

namespace Webhooks.Benchmarks.Infrastructure;

/// <summary>CPU time from /proc: of one process, of a process and its children, and of the whole machine.</summary>
public static class CpuMeter
{
    // USER_HZ; 100 on every Linux this runs on.
    private const double TicksPerSecond = 100.0;

    /// <summary>user + system seconds of <paramref name="pid"/>, or 0 when it is gone.</summary>
    public static double ProcessSeconds(int pid)
    {
        var fields = StatFields(pid);
        return fields is null ? 0 : (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>
    /// user + system seconds of <paramref name="parent"/> and its live children: for PostgreSQL,
    /// the postmaster and its backends. Backends that exited since the last reading are missed.
    /// </summary>
    public static double TreeSeconds(int parent)
    {
        var total = ProcessSeconds(parent);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && StatFields(pid) is { } fields
                && int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
            {
                total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            }
        }

        return total;
    }

    /// <summary>Busy (non-idle, non-iowait) seconds of all cores together, every process on the machine included.</summary>
    public static double MachineBusySeconds()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = cpu[3] + cpu[4];
        return (cpu.Take(8).Sum() - idle) / TicksPerSecond;
    }

    /// <summary>The parent pid of <paramref name="pid"/>.</summary>
    public static int ParentOf(int pid) => StatFields(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : 0;

    /// <summary>Fields of /proc/pid/stat after the command name (which may hold spaces): [0] is the state.</summary>
    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        return text[(text.LastIndexOf(')') + 2)..].Split(' ');
    }
}
