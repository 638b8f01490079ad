namespace SeqCourse.Cli.Tools;

/// <summary>
/// Installs missing Debian packages: checks each with dpkg first (so a ready machine does no network
/// work), then runs `apt-get update` once and `apt-get install -y` for the missing ones — directly as
/// root, through sudo otherwise, or prints the exact command and fails when neither is possible.
/// </summary>
public static class DebianPackages
{
    /// <summary>What `course test` needs: nbformat/nbclient/jupyter_kernel_test for the checks, Chromium for the browser tests, the classic Notebook for the real-client test.</summary>
    public static readonly IReadOnlyList<string> TestPackages =
    [
        "python3-nbformat", "python3-nbclient", "python3-jupyter-client", "python3-jupyter-kernel-test",
        "python3-numpy", "python3-ipykernel", "chromium", "jupyter-notebook",
    ];

    /// <summary>True when dpkg reports <paramref name="package"/> as installed.</summary>
    public static bool IsInstalled(string package)
    {
        if (ProcessTools.Which("dpkg-query") is not { } dpkgQuery)
        {
            return false;
        }

        var (code, stdout, _) = ProcessTools.RunCaptured(dpkgQuery, ["-W", "-f=${Status}", package], TimeSpan.FromSeconds(30));
        return code == 0 && stdout.Contains("install ok installed", StringComparison.Ordinal);
    }

    /// <summary>Installs whichever of <paramref name="packages"/> are missing; false (with a message) on failure.</summary>
    public static bool EnsureInstalled(IReadOnlyList<string> packages, TextWriter log)
    {
        var missing = packages.Where(p => !IsInstalled(p)).ToList();
        if (missing.Count == 0)
        {
            return true;
        }

        var install = "apt-get install -y " + string.Join(' ', missing);
        if (ProcessTools.Which("apt-get") is null)
        {
            log.WriteLine($"error: missing packages {string.Join(", ", missing)} and this is not a Debian/Ubuntu system (no apt-get); install them by hand.");
            return false;
        }

        string[] prefix;
        if (Environment.UserName == "root" || IsRoot())
        {
            prefix = [];
        }
        else if (ProcessTools.Which("sudo") is not null)
        {
            prefix = ["sudo"];
        }
        else
        {
            log.WriteLine($"error: missing packages: {string.Join(" ", missing)}");
            log.WriteLine($"  run as root:  apt-get update && {install}");
            return false;
        }

        log.WriteLine($"Installing Debian packages: {string.Join(" ", missing)}");
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        var updated = Run(prefix, ["apt-get", "update", "-q"], environment);
        var installed = updated == 0 && Run(prefix, ["apt-get", "install", "-y", "-q", .. missing], environment) == 0;
        var stillMissing = missing.Where(p => !IsInstalled(p)).ToList();
        if (!installed || stillMissing.Count > 0)
        {
            log.WriteLine($"error: could not install {string.Join(" ", stillMissing.Count > 0 ? stillMissing : missing)}");
            log.WriteLine($"  try by hand:  {(prefix.Length > 0 ? "sudo " : "")}apt-get update && {(prefix.Length > 0 ? "sudo " : "")}{install}");
            return false;
        }

        return true;
    }

    private static int Run(string[] prefix, string[] command, Dictionary<string, string> environment)
    {
        var full = prefix.Concat(command).ToArray();
        return ProcessTools.RunInherited(full[0], full[1..], environment);
    }

    private static bool IsRoot()
    {
        var (code, stdout, _) = ProcessTools.RunCaptured("id", ["-u"], TimeSpan.FromSeconds(10));
        return code == 0 && stdout.Trim() == "0";
    }
}
