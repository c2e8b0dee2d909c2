using System.Diagnostics.CodeAnalysis;
using Pipeline.Consumers.Discovery;

namespace Pipeline.Consumers.Tests.Discovery;

/// <summary>
/// [WebEndpoint] as discovery reads it: where each endpoint is served, that web endpoints take no retries (Modal's
/// rule), and every mistake refused at start-up with the member and the fix. The nested classes are the user code.
/// </summary>
public sealed class WebEndpointTests
{
    public static TheoryData<Type, string[]> Mistakes() => new()
    {
        { typeof(FetchMethod), ["[WebEndpoint] on FetchMethod.Run", "method \"FETCH\"", "GET, POST, PUT, PATCH, DELETE"] },
        { typeof(RelativePath), ["RelativePath.Run", "Path=\"run\"", "does not start with /"] },
        { typeof(SpacedPath), ["SpacedPath.Run", "Path=\"/a b\"", "characters other than"] },
        { typeof(EmptySegment), ["EmptySegment.Run", "Path=\"/a//b\"", "empty, '.' or '..' segment"] },
        { typeof(OpenApiPath), ["OpenApiPath.Run", "Path=\"/openapi/run\"", "OpenAPI document"] },
        { typeof(WebEndpointWithoutFunction), ["WebEndpointWithoutFunction.Run", "[WebEndpoint] but not [Function]", "Add [Function]"] },
        { typeof(WebEndpointWithoutCls), ["WebEndpointWithoutCls.Run", "has no [Cls] attribute", "Add [Cls]"] },
        { typeof(ArgumentLikeParameter), ["ArgumentLikeParameter.Generate", "argument 'name'", "parameter 'name'", "Rename one"] },
        { typeof(ArgumentsDifferingInCase), ["ArgumentsDifferingInCase.Run", "differ only in case", "'value', 'Value'"] },
    };

    [Fact]
    public void Discover_FunctionWebEndpoint_ServedForGetAtAppSlashFunction()
    {
        var registry = AppDiscovery.Discover([typeof(WebFunctions)]);

        var endpoint = Assert.Single(registry.WebEndpoints);
        Assert.Equal("web.square", endpoint.DisplayName);
        Assert.Equal(new WebEndpoint("GET", "/web/square"), endpoint.WebEndpoint);
        Assert.Null(registry.FindFunction("web", "plain")!.WebEndpoint);
    }

    [Fact]
    public void Discover_ClsMethodMarkedOnlyWebEndpoint_IsACallableMethodWithItsMethodAndPath()
    {
        var registry = AppDiscovery.Discover([typeof(WebModel)]);

        var generate = registry.FindClass("web", "web-model")!.Methods["generate"];
        Assert.Equal(new WebEndpoint("POST", "/generate"), generate.WebEndpoint);
        Assert.Equal(new WebEndpoint("GET", "/web/web-model/describe"), registry.FindClass("web", "web-model")!.Methods["describe"].WebEndpoint);
        Assert.Equal(["web.web-model.describe", "web.web-model.generate"], registry.WebEndpoints.Select(e => e.DisplayName));
    }

    [Fact]
    public void Discover_ClassWideRetries_WebEndpointGetsNoneAndOtherMethodsKeepThem()
    {
        var cls = AppDiscovery.Discover([typeof(RetryingModel)]).FindClass("web", "retrying-model")!;

        Assert.Equal(3, cls.Methods["batch"].Settings.Retries.MaxRetries);
        Assert.Equal(0, cls.Methods["serve"].Settings.Retries.MaxRetries);
    }

    [Theory]
    [InlineData(typeof(RetriesProperty))]
    [InlineData(typeof(RetriesAttributeOnEndpoint))]
    public void Discover_WebEndpointWithRetries_RefusedNamingModalsRule(Type sample)
    {
        var problem = Assert.Single(Assert.Throws<AppDefinitionException>(() => AppDiscovery.Discover([sample])).Problems);

        Assert.Contains($"{sample.Name}.Run is a [WebEndpoint] with retries", problem, StringComparison.Ordinal);
        Assert.Contains("Web endpoints take no retries", problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Discover_WebEndpointMistake_NamesMemberAndFix(Type sample, string[] parts)
    {
        var problem = Assert.Single(Assert.Throws<AppDefinitionException>(() => AppDiscovery.Discover([sample])).Problems);

        foreach (var part in parts)
        {
            Assert.Contains(part, problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Discover_TwoAppsServingOneRoute_NamesBothAndTheFix()
    {
        var problem = Assert.Single(Assert.Throws<AppDefinitionException>(() => AppDiscovery.Discover([typeof(FirstOnRoute), typeof(SecondOnRoute)])).Problems);

        Assert.Contains("first.run and second.run", problem, StringComparison.Ordinal);
        Assert.Contains("GET /shared", problem, StringComparison.Ordinal);
        Assert.Contains("[WebEndpoint(Path = ...)]", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Discover_OnePathForTwoHttpMethods_IsAllowed()
    {
        var registry = AppDiscovery.Discover([typeof(ReadAndWrite)]);

        Assert.Equal(["GET /item", "PUT /item"], registry.WebEndpoints.Select(e => $"{e.WebEndpoint!.HttpMethod} {e.WebEndpoint.Path}").Order(StringComparer.Ordinal));
    }

    [App("web")]
    public static class WebFunctions
    {
        [Function, WebEndpoint]
        public static int Square(int x) => x * x;

        [Function]
        public static int Plain() => 1;
    }

    [App("web"), Cls]
    public sealed class WebModel
    {
        [Parameter] public required string Name { get; init; }

        [WebEndpoint("post", Path = "/generate")]
        public string Generate(string prompt) => Name + prompt;

        [Method, WebEndpoint]
        public string Describe() => Name;
    }

    [App("web"), Cls, Retries(3)]
    public sealed class RetryingModel
    {
        [Method]
        public int Batch() => 1;

        [WebEndpoint]
        public int Serve() => 2;
    }

    [App("web")]
    public static class RetriesProperty
    {
        [Function(Retries = 2), WebEndpoint]
        public static int Run() => 1;
    }

    [App("web")]
    public static class RetriesAttributeOnEndpoint
    {
        [Function, WebEndpoint, Retries(2)]
        public static int Run() => 1;
    }

    [App("web")]
    public static class FetchMethod
    {
        [Function, WebEndpoint("FETCH")]
        public static int Run() => 1;
    }

    [App("web")]
    public static class RelativePath
    {
        [Function, WebEndpoint(Path = "run")]
        public static int Run() => 1;
    }

    [App("web")]
    public static class SpacedPath
    {
        [Function, WebEndpoint(Path = "/a b")]
        public static int Run() => 1;
    }

    [App("web")]
    public static class EmptySegment
    {
        [Function, WebEndpoint(Path = "/a//b")]
        public static int Run() => 1;
    }

    [App("web")]
    public static class OpenApiPath
    {
        [Function, WebEndpoint(Path = "/openapi/run")]
        public static int Run() => 1;
    }

    [App("web")]
    public static class WebEndpointWithoutFunction
    {
        [WebEndpoint]
        public static int Run() => 1;
    }

    [App("web")]
    public sealed class WebEndpointWithoutCls
    {
        [WebEndpoint]
        public int Run() => 1;
    }

    [App("web"), Cls]
    public sealed class ArgumentLikeParameter
    {
        [Parameter] public required string Name { get; init; }

        [WebEndpoint]
        public string Generate(string name) => Name + name;
    }

    [App("web")]
    public static class ArgumentsDifferingInCase
    {
        [Function, WebEndpoint]
        [SuppressMessage("Naming", "CA1708", Justification = "The mistake under test.")]
        public static int Run(int value, int Value) => value + Value;
    }

    [App("first")]
    public static class FirstOnRoute
    {
        [Function, WebEndpoint(Path = "/shared")]
        public static int Run() => 1;
    }

    [App("second")]
    public static class SecondOnRoute
    {
        [Function, WebEndpoint(Path = "/Shared")]
        public static int Run() => 2;
    }

    [App("web")]
    public static class ReadAndWrite
    {
        [Function, WebEndpoint(Path = "/item")]
        public static int Read() => 1;

        [Function, WebEndpoint("PUT", Path = "/item")]
        public static int Write(int value) => value;
    }
}
