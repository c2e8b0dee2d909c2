using Pipeline.Consumers.Discovery;

namespace Pipeline.Consumers.Tests.Discovery;

/// <summary>An invocation names its target in any spelling a user would type; an unknown one is refused with what exists.</summary>
public sealed class AppRegistryTests
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(ReportJobs), typeof(Summarizer)]);

    [Theory]
    [InlineData("reports", "NightlyReportAsync")]
    [InlineData("reports", "NightlyReport")]
    [InlineData("reports", "nightly-report")]
    [InlineData("Reports", "nightly_report")]
    public void Resolve_FunctionByCSharpOrKebabName_FindsIt(string app, string function)
    {
        var callable = Registry.Resolve(app, null, function);

        Assert.Equal(nameof(ReportJobs.NightlyReportAsync), callable.Method.Name);
        Assert.Equal("reports", callable.App);
        Assert.Null(callable.Class);
        Assert.Equal("nightly-report", callable.Name);
    }

    [Theory]
    [InlineData("Summarizer", "SummarizeAsync")]
    [InlineData("summarizer", "summarize")]
    public void Resolve_ClassMethodByCSharpOrKebabName_FindsIt(string cls, string method)
    {
        var callable = Registry.Resolve("reports", cls, method);

        Assert.Equal(nameof(Summarizer.SummarizeAsync), callable.Method.Name);
        Assert.Equal("summarizer", callable.Class);
        Assert.Equal("reports.summarizer.summarize", callable.DisplayName);
    }

    [Fact]
    public void Resolve_UnknownFunction_ThrowsNamingTheKnownFunctions()
    {
        var exception = Assert.Throws<UnknownTargetException>(() => Registry.Resolve("reports", null, "WeeklyReport"));

        AssertMentions(exception.Message, "App 'reports'", "no function named 'WeeklyReport'", "Known functions: count, nightly-report.");
    }

    [Fact]
    public void Resolve_MethodNameWithoutClass_IsNotAFunction()
    {
        var exception = Assert.Throws<UnknownTargetException>(() => Registry.Resolve("reports", null, "summarize"));

        AssertMentions(exception.Message, "no function named 'summarize'", "Known functions: count, nightly-report.");
    }

    [Fact]
    public void Resolve_UnknownApp_ThrowsNamingTheKnownApps()
    {
        var exception = Assert.Throws<UnknownTargetException>(() => Registry.Resolve("billing", null, "count"));

        AssertMentions(exception.Message, "No app named 'billing'", "Known apps: reports.");
    }

    [Fact]
    public void Resolve_UnknownClass_ThrowsNamingTheKnownClasses()
    {
        var exception = Assert.Throws<UnknownTargetException>(() => Registry.Resolve("reports", "Translator", "translate"));

        AssertMentions(exception.Message, "App 'reports'", "no class named 'Translator'", "Known classes: summarizer.");
    }

    [Fact]
    public void Resolve_UnknownMethod_ThrowsNamingTheKnownMethods()
    {
        var exception = Assert.Throws<UnknownTargetException>(() => Registry.Resolve("reports", "summarizer", "translate"));

        AssertMentions(exception.Message, "Class 'reports.summarizer'", "no method named 'translate'", "Known methods: summarize.");
    }

    [Fact]
    public void FindFunctionAndFindClass_AnySpelling_FindTheSameDefinitions()
    {
        Assert.Same(Registry.FindFunction("reports", "count"), Registry.FindFunction("Reports", "Count"));
        Assert.NotNull(Registry.FindFunction("reports", "count"));
        Assert.Same(Registry.FindClass("reports", "summarizer"), Registry.FindClass("reports", "Summarizer"));
        Assert.NotNull(Registry.FindClass("reports", "summarizer"));
        Assert.Null(Registry.FindFunction("reports", "summarizer"));
        Assert.Null(Registry.FindClass("billing", "summarizer"));
    }

    private static void AssertMentions(string message, params string[] parts)
    {
        foreach (var part in parts)
        {
            Assert.Contains(part, message, StringComparison.Ordinal);
        }
    }

    [App("reports")]
    public static class ReportJobs
    {
        [Function]
        public static Task<string> NightlyReportAsync(string day) => Task.FromResult("report for " + day);

        [Function]
        public static int Count() => 3;
    }

    [App("reports"), Cls]
    public sealed class Summarizer
    {
        [Parameter] public string Style { get; init; } = "short";

        [Method]
        public Task<string> SummarizeAsync(string text) => Task.FromResult(Style + ": " + text);
    }
}
