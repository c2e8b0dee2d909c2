using System.Text.Json;
using Pipeline.Cli.Tests.Infrastructure;

namespace Pipeline.Cli.Tests.Calls;

[Collection(CliGroup.Name)]
public sealed class CallCommandTests(CliFixture cli)
{
    [Fact]
    public async Task Call_Function_PrintsTheResult()
    {
        var run = await cli.RunAsync("call", "cliapp", "square", "7");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("49", run.Output.Trim());
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task Call_WordThatIsNotJson_IsAString()
    {
        var run = await cli.RunAsync("call", "cliapp", "Greet", "world");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("hello world", run.Output.Trim());
    }

    [Fact]
    public async Task Call_ClassMethodWithParameters_UsesThemAndTheirDefaults()
    {
        var given = await cli.RunAsync("call", "cliapp", "counter.add", "--param", "name=a", "--param", "start=10", "5");
        var defaulted = await cli.RunAsync("call", "cliapp", "counter.add", "-p", "name=a", "5");

        Assert.True(given.ExitCode == 0, given.ToString());
        Assert.Equal("15", given.Output.Trim());
        Assert.True(defaulted.ExitCode == 0, defaulted.ToString());
        Assert.Equal("5", defaulted.Output.Trim());
    }

    [Fact]
    public async Task Call_Json_PrintsTheWholeOutcome()
    {
        var run = await cli.RunAsync("call", "cliapp", "greet", "\"json\"", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var outcome = JsonDocument.Parse(run.Output);
        Assert.Equal("Succeeded", outcome.RootElement.GetProperty("status").GetString());
        Assert.Equal("hello json", outcome.RootElement.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Call_FunctionThatFails_ExitsOneWithTheWorkersError()
    {
        var run = await cli.RunAsync("call", "cliapp", "fail", "call-test");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.StartsWith("error: Failed: System.InvalidOperationException: call-test fails on purpose (call fc-", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_UnknownFunction_ExitsTwoListingTheKnownOnes()
    {
        var run = await cli.RunAsync("call", "cliapp", "cube", "3");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            "error: App 'cliapp' has no function named 'cube'. Known functions: fail, greet, nightly, positive, sleep, square. A class method is <class>.<method>.",
            run.Error.Trim());
    }

    [Fact]
    public async Task Call_ParameterOfTheWrongType_ExitsTwoNamingIt()
    {
        var run = await cli.RunAsync("call", "cliapp", "counter.add", "--param", "name=a", "--param", "start=ten", "5");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --param start=ten: 'start' takes a whole number from -2147483648 to 2147483647", run.Error.Trim());
    }

    [Fact]
    public async Task Call_PastTimeout_ExitsFour()
    {
        var run = await cli.RunAsync("call", "cliapp", "sleep", "30000", "--timeout", "1");

        Assert.Equal(4, run.ExitCode);
        Assert.Equal("error: no result within 1 s; the call was cancelled", run.Error.Trim());
    }
}
