using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Tests.Discovery;

/// <summary>The manifest is what callers learn about an app: its functions, their argument names, and its classes.</summary>
public sealed class AppDefinitionTests
{
    [Fact]
    public void ToManifest_App_ListsFunctionsWithArgumentNamesWithoutTheCancellationToken()
    {
        var manifest = Catalog().ToManifest();

        Assert.Equal("catalog", manifest.Name);
        var functions = manifest.Functions.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["ping", "search"], functions.Select(f => f.Name));
        Assert.Empty(functions[0].Parameters);
        Assert.Equal(["query", "limit"], functions[1].Parameters);
    }

    [Fact]
    public void ToManifest_App_ListsClassesWithTheirSchemaAndMethods()
    {
        var manifest = Catalog().ToManifest();

        var cls = Assert.Single(manifest.Classes);
        Assert.Equal("ranker", cls.Name);
        Assert.Equal("catalog.ranker", cls.Parameters.Owner);
        Assert.Equal(
            [new ParameterSpec("model", ParameterType.String), ParameterSpec.ForInt("topK", ParameterValue.FromInt(5))],
            cls.Parameters.Parameters);
        var methods = cls.Methods.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["rank", "reset"], methods.Select(m => m.Name));
        Assert.Equal(["query"], methods[0].Parameters);
        Assert.Empty(methods[1].Parameters);
    }

    [Fact]
    public void Manifests_Registry_HasOneManifestPerApp()
    {
        var registry = AppDiscovery.Discover([typeof(CatalogJobs), typeof(Ranker), typeof(OtherJobs)]);

        Assert.Equal(["catalog", "other"], registry.Manifests.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Empty(registry.Manifests.Single(m => m.Name == "other").Classes);
    }

    private static AppDefinition Catalog() =>
        AppDiscovery.Discover([typeof(CatalogJobs), typeof(Ranker)]).FindApp("catalog")!;

    [App("catalog")]
    public static class CatalogJobs
    {
        [Function]
        public static Task<string[]> SearchAsync(string query, int limit = 10, CancellationToken cancellationToken = default) =>
            Task.FromResult(cancellationToken.IsCancellationRequested ? [] : Enumerable.Repeat(query, limit).ToArray());

        [Function]
        public static int Ping() => 1;
    }

    [App("catalog"), Cls]
    public sealed class Ranker
    {
        [Parameter] public required string Model { get; init; }

        [Parameter] public int TopK { get; init; } = 5;

        [Method]
        public string[] Rank(string query, CancellationToken cancellationToken) =>
            cancellationToken.IsCancellationRequested ? [] : [.. Enumerable.Repeat(Model + query, TopK)];

        [Method]
        public void Reset()
        {
        }
    }

    [App("other")]
    public static class OtherJobs
    {
        [Function]
        public static int Ping() => 2;
    }
}
