using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SeqCourse.Runtime;

/// <summary>Whether a cell can be run as typed (Jupyter's is_complete).</summary>
public enum CodeCompleteness
{
    /// <summary>The code parses as a complete submission.</summary>
    Complete,

    /// <summary>More input is expected (an open brace, an unfinished statement…).</summary>
    Incomplete,

    /// <summary>The code is complete but has syntax errors.</summary>
    Invalid,
}

/// <summary>Completions for the identifier ending at the cursor.</summary>
/// <param name="Matches">Replacement texts, sorted.</param>
/// <param name="CursorStart">Start (UTF-16 index) of the text the matches replace.</param>
/// <param name="CursorEnd">End (UTF-16 index) of the text the matches replace.</param>
public sealed record CompletionResult(IReadOnlyList<string> Matches, int CursorStart, int CursorEnd);

/// <summary>What is known about the symbol under the cursor.</summary>
/// <param name="Found">False when there is no symbol there.</param>
/// <param name="Data">MIME bundle with the signature and the XML documentation summary.</param>
public sealed record InspectionResult(bool Found, IReadOnlyDictionary<string, JsonNode> Data);

public sealed partial class ExecutionEngine
{
    private static readonly string[] Keywords =
    [
        "abstract", "as", "async", "await", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false",
        "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is",
        "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "record", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using",
        "var", "virtual", "void", "volatile", "while", "yield",
    ];

    /// <summary>Complete, incomplete (waiting for more lines) or invalid.</summary>
    /// <param name="code">The code typed so far.</param>
    public CodeCompleteness IsComplete(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var tree = CSharpSyntaxTree.ParseText(code, ParseOptions);
        if (!SyntaxFactory.IsCompleteSubmission(tree))
        {
            return CodeCompleteness.Incomplete;
        }

        return tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error) ? CodeCompleteness.Invalid : CodeCompleteness.Complete;
    }

    /// <summary>Completions at <paramref name="cursorPosition"/> against the current session (its variables, types and usings).</summary>
    /// <param name="code">The cell being edited.</param>
    /// <param name="cursorPosition">UTF-16 index of the cursor.</param>
    public Task<CompletionResult> CompleteAsync(string code, int cursorPosition) =>
        Task.Run(() => GetCompletions(code, cursorPosition));

    /// <summary>Signature and documentation of the symbol under <paramref name="cursorPosition"/>.</summary>
    /// <param name="code">The cell being edited.</param>
    /// <param name="cursorPosition">UTF-16 index of the cursor.</param>
    public Task<InspectionResult> InspectAsync(string code, int cursorPosition) =>
        Task.Run(() => Inspect(code, cursorPosition));

    internal CompletionResult GetCompletions(string code, int cursorPosition)
    {
        ArgumentNullException.ThrowIfNull(code);
        var end = Math.Clamp(cursorPosition, 0, code.Length);
        var start = end;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_'))
        {
            start--;
        }

        var prefix = code[start..end];
        var (model, tree) = Analyze(code);
        var root = tree.GetRoot();
        IEnumerable<ISymbol> symbols;
        var includeKeywords = false;

        var before = start - 1;
        while (before >= 0 && char.IsWhiteSpace(code[before]))
        {
            before--;
        }

        if (before >= 0 && code[before] == '.')
        {
            var dot = root.FindToken(before);
            symbols = dot.Parent switch
            {
                MemberAccessExpressionSyntax access => MembersOf(model, access.Expression, start),
                QualifiedNameSyntax qualified => MembersOf(model, qualified.Left, start),
                _ => [],
            };
        }
        else
        {
            symbols = model.LookupSymbols(start);
            includeKeywords = true;
        }

        var names = symbols
            .Where(s => s.CanBeReferencedByName && !s.Name.StartsWith("__", StringComparison.Ordinal))
            .Select(s => s.Name)
            .Concat(includeKeywords ? Keywords : [])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var matches = names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (matches.Count == 0)
        {
            matches = names.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList();
        }

        matches.Sort(StringComparer.Ordinal);
        return new CompletionResult(matches, start, end);
    }

    internal InspectionResult Inspect(string code, int cursorPosition)
    {
        ArgumentNullException.ThrowIfNull(code);
        var position = Math.Clamp(cursorPosition, 0, code.Length);
        var (model, tree) = Analyze(code);
        var root = tree.GetRoot();
        var symbol = SymbolNear(model, root, position);
        if (symbol is null)
        {
            return new InspectionResult(false, new Dictionary<string, JsonNode>());
        }

        var signature = symbol.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat.WithMemberOptions(
            SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeParameters
            | SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeRef));
        var kind = symbol is INamedTypeSymbol type ? type.TypeKind.ToString().ToLowerInvariant() : symbol.Kind.ToString().ToLowerInvariant();
        var text = new StringBuilder().Append(kind).Append(' ').AppendLine(signature);
        var summary = DocumentationSummary(symbol);
        if (summary is not null)
        {
            text.AppendLine().AppendLine(summary);
        }

        var plain = text.ToString().TrimEnd();
        var markdown = $"```csharp\n{signature}\n```" + (summary is null ? string.Empty : "\n\n" + summary);
        return new InspectionResult(true, new Dictionary<string, JsonNode>
        {
            ["text/plain"] = JsonValue.Create(plain),
            ["text/markdown"] = JsonValue.Create(markdown),
        });
    }

    private static IEnumerable<ISymbol> MembersOf(SemanticModel model, ExpressionSyntax left, int position)
    {
        var symbol = model.GetSymbolInfo(left).Symbol;
        if (symbol is INamespaceSymbol ns)
        {
            return model.LookupNamespacesAndTypes(position, ns);
        }

        if (symbol is INamedTypeSymbol namedType)
        {
            return model.LookupStaticMembers(position, namedType);
        }

        var type = model.GetTypeInfo(left).Type;
        return type is null
            ? []
            : model.LookupSymbols(position, type, includeReducedExtensionMethods: true).Where(s => !s.IsStatic || s is IMethodSymbol { MethodKind: MethodKind.ReducedExtension });
    }

    private static ISymbol? SymbolNear(SemanticModel model, SyntaxNode root, int position)
    {
        foreach (var candidate in new[] { position, position - 1 })
        {
            if (candidate < 0 || candidate >= root.FullSpan.End)
            {
                continue;
            }

            var token = root.FindToken(candidate);
            if (token.IsKind(SyntaxKind.IdentifierToken) || token.Parent is PredefinedTypeSyntax)
            {
                var node = token.Parent!;
                var symbol = SymbolOf(model, node);
                if (symbol is not null)
                {
                    return symbol;
                }
            }
        }

        // Inside an argument list: the method being called.
        var enclosing = root.FindToken(Math.Max(0, position - 1)).Parent;
        for (var node = enclosing; node is not null; node = node.Parent)
        {
            if (node is ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation })
            {
                return SymbolOf(model, invocation.Expression);
            }

            if (node is ArgumentListSyntax { Parent: BaseObjectCreationExpressionSyntax creation })
            {
                return SymbolOf(model, creation);
            }
        }

        return null;
    }

    private static ISymbol? SymbolOf(SemanticModel model, SyntaxNode node)
    {
        var info = model.GetSymbolInfo(node);
        return info.Symbol
            ?? info.CandidateSymbols.FirstOrDefault()
            ?? model.GetDeclaredSymbol(node)
            ?? (node is ExpressionSyntax e ? model.GetTypeInfo(e).Type as ISymbol : null);
    }

    private static string? DocumentationSummary(ISymbol symbol)
    {
        var xml = (symbol is IMethodSymbol { ReducedFrom: { } reduced } ? reduced : symbol.OriginalDefinition).GetDocumentationCommentXml();
        if (string.IsNullOrWhiteSpace(xml))
        {
            return null;
        }

        try
        {
            var element = XElement.Parse(xml);
            var parts = new List<string>();
            if (element.Element("summary") is { } summary)
            {
                parts.Add(Flatten(summary));
            }

            foreach (var param in element.Elements("param"))
            {
                parts.Add($"{param.Attribute("name")?.Value}: {Flatten(param)}");
            }

            if (element.Element("returns") is { } returns)
            {
                parts.Add("Returns: " + Flatten(returns));
            }

            return parts.Count == 0 ? null : string.Join("\n", parts);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static string Flatten(XElement element)
    {
        var text = new StringBuilder();
        foreach (var node in element.DescendantNodes())
        {
            switch (node)
            {
                case XText t:
                    text.Append(t.Value);
                    break;
                case XElement { Name.LocalName: "see" or "seealso" or "paramref" or "typeparamref" } reference when !reference.Nodes().Any():
                    var target = reference.Attribute("cref")?.Value ?? reference.Attribute("name")?.Value ?? reference.Attribute("langword")?.Value ?? string.Empty;
                    text.Append(target.Length > 2 && target[1] == ':' ? target[2..] : target);
                    break;
            }
        }

        return string.Join(' ', text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private (SemanticModel Model, SyntaxTree Tree) Analyze(string code)
    {
        var compilation = ContinueScript(code).GetCompilation();
        var tree = compilation.SyntaxTrees.Last();
        return (compilation.GetSemanticModel(tree), tree);
    }
}
