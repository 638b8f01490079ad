using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace SeqCourse.Runtime;

/// <summary>
/// Rewrites a cell before compilation so it can be interrupted and cannot end the process:
/// every loop body and every block-bodied method, accessor, constructor, local function and lambda starts with
/// <c>Interrupt.Check();</c>, and <c>Environment.Exit</c>/<c>FailFast</c> become a clear exception.
/// Inserted code never contains a line break, so line numbers of the rewritten cell are the cell's own.
/// </summary>
internal sealed class CellRewriter : CSharpSyntaxRewriter
{
    private const string CheckCall = "global::SeqCourse.Runtime.Interrupt.Check();";

    public static SyntaxTree Rewrite(SyntaxTree tree)
    {
        var root = new CellRewriter().Visit(tree.GetRoot());
        return tree.WithRootAndOptions(root, tree.Options);
    }

    public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node)
    {
        var visited = (WhileStatementSyntax)base.VisitWhileStatement(node)!;
        return visited.WithStatement(WithCheck(visited.Statement));
    }

    public override SyntaxNode? VisitDoStatement(DoStatementSyntax node)
    {
        var visited = (DoStatementSyntax)base.VisitDoStatement(node)!;
        return visited.WithStatement(WithCheck(visited.Statement));
    }

    public override SyntaxNode? VisitForStatement(ForStatementSyntax node)
    {
        var visited = (ForStatementSyntax)base.VisitForStatement(node)!;
        return visited.WithStatement(WithCheck(visited.Statement));
    }

    public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node)
    {
        var visited = (ForEachStatementSyntax)base.VisitForEachStatement(node)!;
        return visited.WithStatement(WithCheck(visited.Statement));
    }

    public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node)
    {
        var visited = (ForEachVariableStatementSyntax)base.VisitForEachVariableStatement(node)!;
        return visited.WithStatement(WithCheck(visited.Statement));
    }

    public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
    {
        var visited = (MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!;
        return visited.Body is null ? visited : visited.WithBody(Prepend(visited.Body));
    }

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        var visited = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
        return visited.Body is null ? visited : visited.WithBody(Prepend(visited.Body));
    }

    public override SyntaxNode? VisitConstructorDeclaration(ConstructorDeclarationSyntax node)
    {
        var visited = (ConstructorDeclarationSyntax)base.VisitConstructorDeclaration(node)!;
        return visited.Body is null ? visited : visited.WithBody(Prepend(visited.Body));
    }

    public override SyntaxNode? VisitAccessorDeclaration(AccessorDeclarationSyntax node)
    {
        var visited = (AccessorDeclarationSyntax)base.VisitAccessorDeclaration(node)!;
        return visited.Body is null ? visited : visited.WithBody(Prepend(visited.Body));
    }

    public override SyntaxNode? VisitOperatorDeclaration(OperatorDeclarationSyntax node)
    {
        var visited = (OperatorDeclarationSyntax)base.VisitOperatorDeclaration(node)!;
        return visited.Body is null ? visited : visited.WithBody(Prepend(visited.Body));
    }

    public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node)
    {
        var visited = (ParenthesizedLambdaExpressionSyntax)base.VisitParenthesizedLambdaExpression(node)!;
        return visited.Block is null ? visited : visited.WithBlock(Prepend(visited.Block));
    }

    public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node)
    {
        var visited = (SimpleLambdaExpressionSyntax)base.VisitSimpleLambdaExpression(node)!;
        return visited.Block is null ? visited : visited.WithBlock(Prepend(visited.Block));
    }

    public override SyntaxNode? VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node)
    {
        var visited = (AnonymousMethodExpressionSyntax)base.VisitAnonymousMethodExpression(node)!;
        return visited.WithBlock(Prepend(visited.Block));
    }

    public override SyntaxNode? VisitInvocationExpression(InvocationExpressionSyntax node)
    {
        var visited = (InvocationExpressionSyntax)base.VisitInvocationExpression(node)!;
        var name = visited.Expression.ToString().Replace(" ", string.Empty, StringComparison.Ordinal);
        var replacement = name switch
        {
            "Environment.Exit" or "System.Environment.Exit" or "global::System.Environment.Exit" => "BlockedExit",
            "Environment.FailFast" or "System.Environment.FailFast" or "global::System.Environment.FailFast" => "BlockedFailFast",
            _ => null,
        };
        if (replacement is null)
        {
            return visited;
        }

        var target = ParseExpression("global::SeqCourse.Runtime.Interrupt." + replacement)
            .WithLeadingTrivia(visited.Expression.GetLeadingTrivia())
            .WithTrailingTrivia(visited.Expression.GetTrailingTrivia());
        return visited.WithExpression(target);
    }

    private static BlockSyntax Prepend(BlockSyntax block) =>
        block.WithStatements(block.Statements.Insert(0, ParseStatement(CheckCall)));

    private static StatementSyntax WithCheck(StatementSyntax body)
    {
        if (body is BlockSyntax block)
        {
            return Prepend(block);
        }

        // `while (c) x++;` becomes `while (c) {Interrupt.Check(); x++; }` on the same lines.
        return Block(
            Token(SyntaxKind.OpenBraceToken),
            List(new[] { ParseStatement(CheckCall), body.WithoutTrailingTrivia() }),
            Token(SyntaxKind.CloseBraceToken).WithTrailingTrivia(body.GetTrailingTrivia()));
    }
}
