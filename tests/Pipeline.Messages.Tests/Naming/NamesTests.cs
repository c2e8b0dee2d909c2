using System.Security.Cryptography;
using System.Text;
using Pipeline.Messages.Naming;

namespace Pipeline.Messages.Tests.Naming;

public sealed class NamesTests
{
    public static TheoryData<string> AwkwardInputs => new()
    {
        "NightlyReportAsync",
        "LLMModel",
        "my_app",
        "Run Async",
        "caf\u00e9",
        "\u65e5\u672c\u8a9e",
        "\U0001F680 Rocket \U0001F680",
        "\u00c4pfel\u00dcber",
        "Tab\tName\nLine",
        "--x--",
        "a..b",
        "...",
        "___",
        " ",
        string.Empty,
        "Async",
        "AsyncAsync",
        "HTTPServer2Async",
        "snake_case_Name_42",
        "kebab-case-name",
        "ALLCAPS",
        "x9Y8z7",
        "\ud800lone",
        new string('A', 300) + "Async",
        string.Concat(Enumerable.Repeat("VeryLong_Segment ", 40)),
    };

    [Theory]
    [InlineData("NightlyReportAsync", "nightly-report")]
    [InlineData("LLMModel", "llm-model")]
    [InlineData("Async", "async")]
    [InlineData("my_app", "my-app")]
    [InlineData("nightly-report", "nightly-report")]
    [InlineData("Embed2D", "embed2-d")]
    [InlineData("HTTPServer2Async", "http-server2")]
    [InlineData("aB1C", "a-b1-c")]
    [InlineData("__x__", "x")]
    [InlineData("RunAsyncAsync", "run-async")]
    [InlineData("Run Async", "run")]
    [InlineData("caf\u00e9", "caf")]
    [InlineData("getHTTPResponseCode", "get-http-response-code")]
    [InlineData("MyApp.Inference", "my-app-inference")]
    [InlineData("runasync", "runasync")]
    [InlineData("RunASYNC", "run-async")]
    public void Normalize_SpecTable_MatchesSpec(string input, string expected)
    {
        Assert.Equal(expected, Names.Normalize(input));
    }

    [Theory]
    [InlineData("nightly-report")]
    [InlineData("llm-model2")]
    [InlineData("x")]
    public void Normalize_AlreadyNormal_ReturnsTheSameStringWithoutCopying(string input)
    {
        Assert.Same(input, Names.Normalize(input));
    }

    [Theory]
    [InlineData("a--b", "a-b")]
    [InlineData("-a", "a")]
    [InlineData("a-", "a")]
    [InlineData("-", "")]
    public void Normalize_LowercaseWithStrayHyphens_StillCollapsesThem(string input, string expected)
    {
        Assert.Equal(expected, Names.Normalize(input));
    }

    [Theory]
    [InlineData("___")]
    [InlineData("...")]
    [InlineData("")]
    [InlineData("\u65e5\u672c\u8a9e")]
    public void Normalize_NoLettersOrDigits_IsEmpty(string input)
    {
        Assert.Equal(string.Empty, Names.Normalize(input));
    }

    [Theory]
    [MemberData(nameof(AwkwardInputs))]
    public void Normalize_AnyInput_OnlyLowercaseDigitsAndSingleInnerHyphens(string input)
    {
        var normalized = Names.Normalize(input);

        Assert.Matches("^([a-z0-9]+(-[a-z0-9]+)*)?$", normalized);
    }

    [Theory]
    [MemberData(nameof(AwkwardInputs))]
    public void Normalize_AppliedTwice_SameAsOnce(string input)
    {
        var once = Names.Normalize(input);

        Assert.Equal(once, Names.Normalize(once));
    }

    [Fact]
    public void Normalize_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => Names.Normalize(null!));
    }

    [Fact]
    public void Shorten_WithinLimit_Unchanged()
    {
        var name = new string('a', 200);

        Assert.Same(name, Names.Shorten(name, 200));
    }

    [Fact]
    public void Shorten_OverLimit_KeepsPrefixAndAppendsHashOfFullName()
    {
        var name = new string('a', 201);

        var shortened = Names.Shorten(name, 200);

        Assert.Equal(new string('a', 191) + "-" + Sha256Prefix(name), shortened);
        Assert.Equal(200, shortened.Length);
    }

    [Fact]
    public void Shorten_CutEndsInHyphenOrDot_StripsThemBeforeHash()
    {
        var name = new string('a', 189) + ".-" + new string('b', 20);

        var shortened = Names.Shorten(name, 200);

        Assert.Equal(new string('a', 189) + "-" + Sha256Prefix(name), shortened);
    }

    [Fact]
    public void Shorten_NamesDifferingOnlyAfterCut_StayDistinct()
    {
        var first = Names.Shorten(new string('a', 300) + "1", 200);
        var second = Names.Shorten(new string('a', 300) + "2", 200);

        Assert.NotEqual(first, second);
        Assert.Equal(200, first.Length);
        Assert.Equal(200, second.Length);
    }

    private static string Sha256Prefix(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
}
