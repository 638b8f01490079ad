using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace SeqCourse.Runtime;

/// <summary>
/// <c>#r "nuget: Name, Version"</c> as in .NET Interactive: the package is restored once into a cache directory by
/// building a tiny net10.0 project that references it (so the configured NuGet sources are used), and every DLL
/// of the package and its dependencies becomes a reference of the script.
/// </summary>
internal sealed partial class NuGetPackages(string cacheDirectory, IReadOnlySet<string> alreadyReferenced)
{
    private const string ProjectAssemblyName = "SeqCourseNuGetRestore";
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> s_locks = new();
    private readonly ConcurrentDictionary<string, ImmutableArray<string>> _restored = new();

    /// <summary>The <c>#r "nuget: …"</c> references in <paramref name="code"/>, as written inside the quotes.</summary>
    public static IEnumerable<string> FindReferences(string code) =>
        NuGetDirective().Matches(code).Select(m => m.Groups[1].Value);

    public static bool IsNuGetReference(string reference) =>
        reference.TrimStart().StartsWith("nuget:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Restores the package (cached on disk) and returns the paths of its DLLs.</summary>
    /// <exception cref="InvalidOperationException">The restore failed; the message has the build output.</exception>
    public ImmutableArray<string> Restore(string reference)
    {
        var (name, version) = Parse(reference);
        var key = name.ToLowerInvariant() + "-" + (version ?? "latest");
        if (_restored.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var gate = s_locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        gate.Wait();
        try
        {
            var directory = Path.Combine(cacheDirectory, key);
            var list = Path.Combine(directory, "references.txt");
            if (!File.Exists(list))
            {
                Build(directory, name, version);
                var dlls = Directory.GetFiles(Path.Combine(directory, "out"), "*.dll")
                    .Where(p => Path.GetFileNameWithoutExtension(p) != ProjectAssemblyName)
                    .Order(StringComparer.Ordinal)
                    .ToArray();
                var temp = list + ".tmp";
                File.WriteAllLines(temp, dlls);
                File.Move(temp, list, overwrite: true);
            }

            var paths = File.ReadAllLines(list)
                .Where(p => p.Length > 0 && File.Exists(p) && !alreadyReferenced.Contains(Path.GetFileNameWithoutExtension(p)))
                .ToImmutableArray();
            _restored[key] = paths;
            return paths;
        }
        finally
        {
            gate.Release();
        }
    }

    private static (string Name, string? Version) Parse(string reference)
    {
        var body = reference.Trim()["nuget:".Length..];
        var parts = body.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 2 || !PackageName().IsMatch(parts[0]) || (parts.Length == 2 && !PackageVersion().IsMatch(parts[1])))
        {
            throw new ArgumentException($"Expected #r \"nuget: Name, Version\" (version optional), got #r \"{reference}\".", nameof(reference));
        }

        return (parts[0], parts.Length == 2 ? parts[1] : null);
    }

    private static void Build(string directory, string name, string? version)
    {
        Directory.CreateDirectory(directory);

        // Empty Directory.Build.* files stop MSBuild from importing any found above the cache directory.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, ProjectAssemblyName + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <AssemblyName>{ProjectAssemblyName}</AssemblyName>
                <CopyLocalLockFileAssemblies>true</CopyLocalLockFileAssemblies>
                <CopyDocumentationFilesFromPackages>true</CopyDocumentationFilesFromPackages>
                <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
                <SatelliteResourceLanguages>en</SatelliteResourceLanguages>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{name}" Version="{version ?? "*"}" />
              </ItemGroup>
            </Project>
            """);

        var start = new ProcessStartInfo(DotnetExecutable())
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "build", "-c", "Release", "-o", "out", "--nologo", "-v", "q", "-clp:NoSummary;ErrorsOnly" })
        {
            start.ArgumentList.Add(argument);
        }

        // When the engine runs inside `dotnet test` or another MSBuild-hosted process these point at that
        // process's MSBuild and break the child build.
        foreach (var variable in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "MSBUILDNOINPROCNODE" })
        {
            start.Environment.Remove(variable);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet to restore NuGet packages.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Restoring NuGet package {name} {version ?? "(latest)"} failed (dotnet build exit code {process.ExitCode}):\n{stdout.Result}{stderr.Result}".TrimEnd());
        }
    }

    private static string DotnetExecutable()
    {
        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return process;
        }

        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    [GeneratedRegex(@"^[ \t]*#r[ \t]+""(nuget:[^""]*)""", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex NuGetDirective();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+$")]
    private static partial Regex PackageName();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-*+\[\](), ]+$")]
    private static partial Regex PackageVersion();
}

/// <summary>Resolves <c>#r</c> relative to the working directory, and <c>#r "nuget: …"</c> through <see cref="NuGetPackages"/>.</summary>
internal sealed class CellMetadataResolver(ScriptMetadataResolver inner, NuGetPackages packages) : MetadataReferenceResolver
{
    public override bool ResolveMissingAssemblies => inner.ResolveMissingAssemblies;

    public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties)
    {
        if (!NuGetPackages.IsNuGetReference(reference))
        {
            return inner.ResolveReference(reference, baseFilePath, properties);
        }

        try
        {
            return packages.Restore(reference)
                .Select(path => MetadataReference.CreateFromFile(path, properties, Documentation.ForAssemblyFile(path)))
                .ToImmutableArray();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // Returning nothing makes the compiler report CS0006 at the directive; the engine restores
            // packages before compiling, so the detailed message has been shown already.
            return [];
        }
    }

    public override PortableExecutableReference? ResolveMissingAssembly(MetadataReference definition, AssemblyIdentity referenceIdentity) =>
        inner.ResolveMissingAssembly(definition, referenceIdentity);

    public override bool Equals(object? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => inner.GetHashCode();
}
