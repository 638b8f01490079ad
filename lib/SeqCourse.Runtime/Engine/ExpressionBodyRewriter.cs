using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace SeqCourse.Runtime;

/// <summary>
/// Second rewriting pass, which needs types: expression-bodied lambdas, local functions and methods
/// (<c>t =&gt; model.Step(t)</c>) become block bodies starting with <c>Interrupt.Check()</c>, so a library loop
/// that calls back into cell code (a trainer's step function, a LINQ selector) can be interrupted too.
/// Whether the body becomes <c>return e;</c> or <c>e;</c> depends on the delegate or method's return type,
/// which only the semantic model knows. Lambdas converted to expression trees are left alone.
/// Like <see cref="CellRewriter"/>, it never adds a line break.
/// </summary>
internal sealed class ExpressionBodyRewriter(SemanticModel model) : CSharpSyntaxRewriter
{
    public static bool HasExpressionBodies(SyntaxNode root) =>
        root.DescendantNodes().Any(n => n is AnonymousFunctionExpressionSyntax { ExpressionBody: not null }
            or LocalFunctionStatementSyntax { ExpressionBody: not null }
            or MethodDeclarationSyntax { ExpressionBody: not null });

    public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node) =>
        RewriteLambda(node, (SimpleLambdaExpressionSyntax)base.VisitSimpleLambdaExpression(node)!);

    public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node) =>
        RewriteLambda(node, (ParenthesizedLambdaExpressionSyntax)base.VisitParenthesizedLambdaExpression(node)!);

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        var statementForm = StatementForm(model.GetDeclaredSymbol(node) as IMethodSymbol);
        var visited = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
        if (statementForm is null || visited.ExpressionBody is null)
        {
            return visited;
        }

        var block = Body(visited.ExpressionBody.Expression, statementForm.Value).WithTrailingTrivia(visited.SemicolonToken.TrailingTrivia);
        return visited.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block);
    }

    public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
    {
        var statementForm = StatementForm(model.GetDeclaredSymbol(node));
        var visited = (MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!;
        if (statementForm is null || visited.ExpressionBody is null)
        {
            return visited;
        }

        var block = Body(visited.ExpressionBody.Expression, statementForm.Value).WithTrailingTrivia(visited.SemicolonToken.TrailingTrivia);
        return visited.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block);
    }

    private SyntaxNode RewriteLambda(AnonymousFunctionExpressionSyntax original, AnonymousFunctionExpressionSyntax visited)
    {
        if (visited.ExpressionBody is null
            || model.GetTypeInfo(original).ConvertedType is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke })
        {
            return visited; // a block already, an expression tree, or not bound
        }

        var statementForm = invoke.ReturnsVoid || (original.AsyncKeyword != default && IsTaskWithoutResult(invoke.ReturnType));
        var block = Body(visited.ExpressionBody, statementForm);
        return visited.WithExpressionBody(null).WithBlock(block);
    }

    /// <summary>True: <c>{ Check(); e; }</c>; false: <c>{ Check(); return e; }</c>; null: leave alone.</summary>
    private static bool? StatementForm(IMethodSymbol? method)
    {
        if (method is null || method.ReturnsByRef || method.ReturnsByRefReadonly || method.IsIterator)
        {
            return null;
        }

        return method.ReturnsVoid || (method.IsAsync && IsTaskWithoutResult(method.ReturnType));
    }

    private static bool IsTaskWithoutResult(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: false, Name: "Task" or "ValueTask" } named
        && named.ContainingNamespace.ToDisplayString() == "System.Threading.Tasks";

    private static BlockSyntax Body(ExpressionSyntax expression, bool statementForm)
    {
        var check = ParseStatement("global::SeqCourse.Runtime.Interrupt.Check();");
        var trailing = expression.GetTrailingTrivia();
        expression = expression.WithoutTrailingTrivia();
        StatementSyntax statement = expression switch
        {
            ThrowExpressionSyntax thrown => ThrowStatement(Token(SyntaxKind.ThrowKeyword).WithTrailingTrivia(Space), thrown.Expression, Token(SyntaxKind.SemicolonToken)),
            _ when statementForm => ExpressionStatement(expression),
            _ => ReturnStatement(Token(SyntaxKind.ReturnKeyword).WithTrailingTrivia(Space), expression, Token(SyntaxKind.SemicolonToken)),
        };
        return Block(Token(SyntaxKind.OpenBraceToken), List([check, statement]), Token(SyntaxKind.CloseBraceToken).WithTrailingTrivia(trailing));
    }
}
