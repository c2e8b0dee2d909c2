using System.Security.Cryptography;
using System.Text;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Messages.Tests.Naming;

public sealed class QueueNamesTests
{
    private const string QueueCharacters = "^[a-z0-9.-]+$";

    private static readonly ParameterSet _llama = ParameterSet.Create(
        [new("name", ParameterValue.FromString("llama")), new("size", ParameterValue.FromInt(7))]);

    public static TheoryData<string, string> AwkwardNames => new()
    {
        { "inference", "NightlyReportAsync" },
        { "My App", "Run Report" },
        { "my_app", "__send_email__" },
        { "caf\u00e9", "r\u00e9sum\u00e9" },
        { "\u65e5\u672c\u8a9e-app", "\U0001F680Launch" },
        { "App.With.Dots", "Func..Name" },
        { "-leading", "trailing-" },
        { "TAB\tAPP", "line\nbreak" },
        { new string('A', 500), "Run" },
        { "inference", new string('x', 500) + "Async" },
        { string.Concat(Enumerable.Repeat("Long_App ", 40)), string.Concat(Enumerable.Repeat("Long_Function ", 40)) },
        { "inference", string.Concat(Enumerable.Repeat("a-", 150)) },
        { "inference", string.Concat(Enumerable.Repeat("a.", 150)) },
    };

    [Fact]
    public void ForFunction_AppAndAsyncMethod_ReadableKebabName()
    {
        Assert.Equal("inference.nightly-report", QueueNames.ForFunction("inference", "NightlyReportAsync"));
    }

    [Fact]
    public void ForClass_WithParameters_AppClassAndPoolId()
    {
        var queue = QueueNames.ForClass("inference", "Model", _llama);

        Assert.Equal("inference.model.p-" + _llama.PoolId, queue);
        Assert.Matches("^inference\\.model\\.p-[0-9a-f]{16}$", queue);
        Assert.Equal("inference.model.p-1afebbb23ff04cd4", queue);
    }

    [Fact]
    public void ForClass_WithoutParameters_NoPoolSuffix()
    {
        Assert.Equal("inference.model", QueueNames.ForClass("inference", "Model", ParameterSet.Empty));
        Assert.Equal("my-app.llm-model", QueueNames.ForClass("MyApp", "LLMModelAsync", ParameterSet.Create([])));
    }

    [Fact]
    public void ForClass_DifferentParameterSets_DifferentQueues()
    {
        var other = ParameterSet.Create([new("name", ParameterValue.FromString("llama")), new("size", ParameterValue.FromInt(8))]);

        Assert.NotEqual(QueueNames.ForClass("inference", "Model", _llama), QueueNames.ForClass("inference", "Model", other));
    }

    [Fact]
    public void ForClass_AlreadyNormalizedNames_SameQueueAsIdentifiers()
    {
        Assert.Equal(
            QueueNames.ForClass("MyApp", "LLMModel", _llama),
            QueueNames.ForClass("my-app", "llm-model", _llama));
    }

    [Theory]
    [MemberData(nameof(AwkwardNames))]
    public void ForFunction_AwkwardNames_OnlyQueueCharactersAndAtMost200(string app, string function)
    {
        var queue = QueueNames.ForFunction(app, function);

        Assert.Matches(QueueCharacters, queue);
        Assert.InRange(queue.Length, 3, QueueNames.MaxLength);
        Assert.False(queue.StartsWith('.') || queue.StartsWith('-'), queue);
    }

    [Theory]
    [MemberData(nameof(AwkwardNames))]
    public void ForClass_AwkwardNames_OnlyQueueCharactersAndAtMost200(string app, string cls)
    {
        var withParameters = QueueNames.ForClass(app, cls, _llama);
        var withoutParameters = QueueNames.ForClass(app, cls, ParameterSet.Empty);

        Assert.Matches(QueueCharacters, withParameters);
        Assert.Matches(QueueCharacters, withoutParameters);
        Assert.InRange(withParameters.Length, 3, QueueNames.MaxLength);
        Assert.InRange(withoutParameters.Length, 3, QueueNames.MaxLength);
        Assert.EndsWith(".p-" + _llama.PoolId, withParameters, StringComparison.Ordinal);
        Assert.DoesNotContain(".p-", withoutParameters, StringComparison.Ordinal);
    }

    [Fact]
    public void ForFunction_LongName_ShortenedWithHashOfFullNameSoEveryProcessAgrees()
    {
        var full = "inference." + new string('x', 500);
        var expected = "inference." + new string('x', 181) + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..8];

        Assert.Equal(expected, QueueNames.ForFunction("inference", new string('x', 500)));
        Assert.Equal(expected, QueueNames.ForFunction("Inference", new string('x', 500) + "Async"));
    }

    [Fact]
    public void ForFunction_LongNamesDifferingAtTheEnd_StayDistinct()
    {
        var stem = string.Concat(Enumerable.Repeat("VeryLongStep", 30));

        var first = QueueNames.ForFunction("inference", stem + "One");
        var second = QueueNames.ForFunction("inference", stem + "Two");

        Assert.NotEqual(first, second);
        Assert.Equal(QueueNames.MaxLength, first.Length);
        Assert.Equal(QueueNames.MaxLength, second.Length);
        Assert.StartsWith("inference.very-long-step-very-long-step", first, StringComparison.Ordinal);
    }

    [Fact]
    public void ForClass_LongClassNamesDifferingAtTheEnd_StayDistinctAndKeepPoolSuffix()
    {
        var stem = string.Concat(Enumerable.Repeat("VeryLongSegment", 20));

        var first = QueueNames.ForClass("inference", stem + "One", _llama);
        var second = QueueNames.ForClass("inference", stem + "Two", _llama);
        var firstEmpty = QueueNames.ForClass("inference", stem + "One", ParameterSet.Empty);
        var secondEmpty = QueueNames.ForClass("inference", stem + "Two", ParameterSet.Empty);

        Assert.NotEqual(first, second);
        Assert.NotEqual(firstEmpty, secondEmpty);
        Assert.InRange(first.Length, QueueNames.MaxLength - 2, QueueNames.MaxLength);
        Assert.InRange(firstEmpty.Length, QueueNames.MaxLength - 2, QueueNames.MaxLength);
        Assert.EndsWith(".p-" + _llama.PoolId, first, StringComparison.Ordinal);
        Assert.Matches("^inference\\.very-long-segment-.*-[0-9a-f]{8}\\.p-[0-9a-f]{16}$", first);
    }

    [Fact]
    public void ForFunction_ExactlyAtLimit_NotShortened()
    {
        // "inference." is 10 characters, so a 190-character function name makes exactly 200.
        var function = new string('x', 190);

        Assert.Equal("inference." + function, QueueNames.ForFunction("inference", function));
    }

    [Theory]
    [InlineData("___")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\u65e5\u672c\u8a9e")]
    public void ForFunction_AppWithoutLettersOrDigits_ThrowsArgumentExceptionNamingApp(string app)
    {
        var error = Assert.Throws<ArgumentException>(() => QueueNames.ForFunction(app, "Run"));

        Assert.Equal("app", error.ParamName);
        Assert.Contains($"'{app}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no letters or digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForFunction_FunctionWithoutLettersOrDigits_ThrowsArgumentExceptionNamingFunction()
    {
        var error = Assert.Throws<ArgumentException>(() => QueueNames.ForFunction("inference", "__"));

        Assert.Equal("function", error.ParamName);
        Assert.Contains("no letters or digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForClass_ClassWithoutLettersOrDigits_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => QueueNames.ForClass("inference", "...", _llama));

        Assert.Equal("cls", error.ParamName);
        Assert.Contains("no letters or digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForFunction_NullNames_ThrowArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>("app", () => QueueNames.ForFunction(null!, "Run"));
        Assert.Throws<ArgumentNullException>("function", () => QueueNames.ForFunction("inference", null!));
    }

    [Fact]
    public void ForClass_NullParameters_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>("parameters", () => QueueNames.ForClass("inference", "Model", null!));
    }
}
