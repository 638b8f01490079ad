using System.Globalization;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;

namespace SeqCourse.Runtime;

/// <summary>Finds the XML documentation of a referenced assembly, for the kernel's inspect (Shift+Tab) replies.</summary>
internal static class Documentation
{
    private static readonly Lazy<string?> s_referencePack = new(FindReferencePack);

    public static DocumentationProvider ForAssemblyFile(string assemblyPath)
    {
        var name = Path.GetFileNameWithoutExtension(assemblyPath);
        var candidates = new List<string> { Path.ChangeExtension(assemblyPath, ".xml") };
        if (s_referencePack.Value is { } pack)
        {
            // Implementation assemblies of the shared framework have no XML; the reference pack does, and
            // System.Private.CoreLib's public types are documented in System.Runtime.xml.
            candidates.Add(Path.Combine(pack, (name == "System.Private.CoreLib" ? "System.Runtime" : name) + ".xml"));
        }

        var found = candidates.FirstOrDefault(File.Exists);
        return found is null ? DocumentationProvider.Default : new XmlFileDocumentationProvider(found);
    }

    private static string? FindReferencePack()
    {
        try
        {
            // .../dotnet/shared/Microsoft.NETCore.App/10.0.x/System.Private.CoreLib.dll -> .../dotnet/packs/Microsoft.NETCore.App.Ref/*/ref/net10.0
            var shared = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            var root = Path.GetFullPath(Path.Combine(shared, "..", "..", ".."));
            var packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
            if (!Directory.Exists(packs))
            {
                return null;
            }

            var major = Environment.Version.Major;
            return Directory.GetDirectories(packs)
                .Select(d => Path.Combine(d, "ref", $"net{major}.0"))
                .Where(Directory.Exists)
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>Reads member documentation from a compiler-generated XML documentation file, on first use.</summary>
internal sealed class XmlFileDocumentationProvider(string path) : DocumentationProvider
{
    private readonly Lazy<Dictionary<string, string>> _members = new(() =>
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var member in XDocument.Load(path).Descendants("member"))
            {
                if (member.Attribute("name")?.Value is { } name)
                {
                    members[name] = member.ToString();
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Xml.XmlException or UnauthorizedAccessException)
        {
            // No documentation is better than no completion.
        }

        return members;
    });

    private readonly string _path = path;

    public override bool Equals(object? obj) => obj is XmlFileDocumentationProvider other && other._path == _path;

    public override int GetHashCode() => _path.GetHashCode(StringComparison.Ordinal);

    protected override string? GetDocumentationForSymbol(string documentationMemberID, CultureInfo preferredCulture, CancellationToken cancellationToken = default) =>
        _members.Value.TryGetValue(documentationMemberID, out var xml) ? xml : null;
}
