using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pipeline.Client.Tests.Contracts;

/// <summary>
/// A typed call is checked by the compiler: each snippet is a caller compiled with Roslyn against the built
/// Pipeline.Client, Pipeline.Abstractions and this assembly's contracts; a mistake must be a compile error, not a
/// failure after a round trip.
/// </summary>
public sealed class TypedCallCompilationTests
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat([typeof(PipelineClient).Assembly.Location, typeof(ContractAttribute).Assembly.Location, typeof(Messages.Naming.Names).Assembly.Location, typeof(IJobs).Assembly.Location])
            .Distinct()
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    [Theory]
    [InlineData("int r = await client.Function<IJobs>().RemoteAsync(j => j.SquareAsync(7, ct));")]
    [InlineData("string s = await client.Cls<IModel, ModelParameters>(new(\"llama\", Size: 7)).RemoteAsync(m => m.GenerateAsync(\"hi\", ct));")]
    [InlineData("FunctionCall<int> c = await client.Function<IJobs>().SpawnAsync(j => j.SquareAsync(7, ct)); int r = await c.GetAsync();")]
    [InlineData("await foreach (int r in client.Function<IJobs>().MapAsync(new[] { 1, 2 }, (j, x) => j.SquareAsync(x, ct))) { }")]
    public void TypedCall_Correct_Compiles(string statement) => Assert.Empty(Errors(statement));

    [Theory]
    [InlineData("int r = await client.Function<IJobs>().RemoteAsync(j => j.SquareAsync(\"seven\", ct));", "CS1503")]
    [InlineData("int r = await client.Function<IJobs>().RemoteAsync(j => j.CubeAsync(7, ct));", "CS1061")]
    [InlineData("string r = await client.Function<IJobs>().RemoteAsync(j => j.SquareAsync(7, ct));", "CS0029")]
    [InlineData("var m = client.Cls<IModel, string>(\"llama\");", "CS0311")]
    [InlineData("FunctionCall<string> c = await client.Function<IJobs>().SpawnAsync(j => j.SquareAsync(7, ct));", "CS0029")]
    [InlineData("await foreach (int r in client.Function<IJobs>().MapAsync(new[] { \"a\" }, (j, x) => j.SquareAsync(x, ct))) { }", "CS1503")]
    public void TypedCall_Mistake_DoesNotCompile(string statement, string error) =>
        Assert.Contains(error, Errors(statement));

    // A service injects the interface: the same typed calls compile through it, and the same mistakes do not.
    [Theory]
    [InlineData("int r = await client.Function<IJobs>().RemoteAsync(j => j.SquareAsync(7, ct));")]
    [InlineData("string s = await client.Cls<IModel, ModelParameters>(new(\"llama\", Size: 7)).RemoteAsync(m => m.GenerateAsync(\"hi\", ct));")]
    [InlineData("FunctionCall<int> c = await client.Function<IJobs>().SpawnAsync(j => j.SquareAsync(7, ct)); int r = await client.Call<int>(c.Id).GetAsync();")]
    [InlineData("await foreach (int r in client.Function<IJobs>().MapAsync(new[] { 1, 2 }, (j, x) => j.SquareAsync(x, ct))) { }")]
    public void TypedCall_ThroughInterface_Compiles(string statement) => Assert.Empty(Errors(statement, "IPipelineClient"));

    [Theory]
    [InlineData("int r = await client.Function<IJobs>().RemoteAsync(j => j.SquareAsync(\"seven\", ct));", "CS1503")]
    [InlineData("string r = await client.Function<IJobs>().RemoteAsync(j => j.SquareAsync(7, ct));", "CS0029")]
    [InlineData("string s = await client.Cls<IModel, ModelParameters>(new(\"llama\", Size: \"seven\")).RemoteAsync(m => m.GenerateAsync(\"hi\", ct));", "CS1503")]
    [InlineData("await foreach (int r in client.Function<IJobs>().MapAsync(new[] { \"a\" }, (j, x) => j.SquareAsync(x, ct))) { }", "CS1503")]
    public void TypedCall_ThroughInterfaceMistake_DoesNotCompile(string statement, string error) =>
        Assert.Contains(error, Errors(statement, "IPipelineClient"));

    private static List<string> Errors(string statement, string clientType = "PipelineClient")
    {
        var source = $$"""
            using System.Threading;
            using System.Threading.Tasks;
            using Pipeline;
            using Pipeline.Client;
            using Pipeline.Client.Tests.Contracts;

            public static class Caller
            {
                public static async Task RunAsync({{clientType}} client, CancellationToken ct)
                {
                    {{statement}}
                }
            }
            """;
        var compilation = CSharpCompilation.Create(
            "Caller",
            [CSharpSyntaxTree.ParseText(source)],
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).ToList();
    }
}
