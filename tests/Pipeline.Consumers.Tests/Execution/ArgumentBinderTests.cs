using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Execution;

namespace Pipeline.Consumers.Tests.Execution;

/// <summary>
/// The binder turns a caller's JSON <c>args</c> and <c>kwargs</c> into the method's parameter values, or refuses with
/// an <see cref="InvalidInputException"/> that names the function, the argument and the fix.
/// </summary>
public sealed class ArgumentBinderTests
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(BindingJobs)]);

    private readonly CancellationToken _token = new(canceled: true);

    public static TheoryData<string, string, string, string> WrongTypes() => new()
    {
        { """["ada", "two"]""", "times", "int (a whole number from -2147483648 to 2147483647)", "String" },
        { """["ada", 2.5]""", "times", "int (a whole number from -2147483648 to 2147483647)", "Number" },
        { """["ada", 3000000000]""", "times", "int (a whole number from -2147483648 to 2147483647)", "Number" },
        { """["ada", -2147483649]""", "times", "int (a whole number from -2147483648 to 2147483647)", "Number" },
        { """["ada", true]""", "times", "int (a whole number from -2147483648 to 2147483647)", "True" },
        { """[1, 2]""", "name", "string", "Number" },
        { """["ada", 2, ["?"]]""", "punctuation", "string", "Array" },
    };

    [Fact]
    public void Bind_PositionalArgs_FillParametersInOrder()
    {
        var values = Bind("greet", args: """["ada", 2, "?"]""");

        Assert.Equal(["ada", 2, "?"], values);
    }

    [Fact]
    public void Bind_KwargsWithOtherCase_BindByNameIgnoringCase()
    {
        var values = Bind("greet", kwargs: """{"TIMES": 2, "Name": "ada", "punctuation": "?"}""");

        Assert.Equal(["ada", 2, "?"], values);
    }

    [Fact]
    public void Bind_PositionalThenKwargs_FillsBoth()
    {
        var values = Bind("greet", args: """["ada"]""", kwargs: """{"punctuation": "?", "times": 3}""");

        Assert.Equal(["ada", 3, "?"], values);
    }

    [Fact]
    public void Bind_OptionalParameterLeftOut_GetsItsCSharpDefault()
    {
        var values = Bind("greet", args: """["ada", 2]""");

        Assert.Equal(["ada", 2, "!"], values);
    }

    [Fact]
    public void Bind_NoArgumentsAsNullOrMissingJson_BindsNothing()
    {
        Assert.Empty(Bind("ping"));
        Assert.Empty(Bind("ping", args: "null", kwargs: "null"));
        Assert.Empty(Bind("ping", args: "[]", kwargs: "{}"));
    }

    [Fact]
    public void Bind_NullForNullableInt_BindsNull()
    {
        var values = Bind("maybe", args: "[null]");

        Assert.Equal([null], values);
    }

    [Fact]
    public void Bind_CancellationTokenInTheMiddle_IsInjectedAtItsPositionAndIsNotAnArgument()
    {
        var callable = Registry.Resolve("binding", null, "tokens");

        var positional = ArgumentBinder.Bind(callable, Json("""[5, "words"]"""), null, _token);
        var defaulted = ArgumentBinder.Bind(callable, null, Json("""{"count": 5}"""), _token);

        Assert.Equal(["count", "unit"], callable.Arguments.Select(a => a.Name));
        Assert.Equal([5, _token, "words"], positional);
        Assert.Equal([5, _token, "tokens"], defaulted);
    }

    [Fact]
    public void Bind_ArgumentsForTheCancellationTokenPosition_AreCountedWithoutIt()
    {
        var exception = BindFails("tokens", args: """[5, "words", "extra"]""");

        AssertMentions(exception.Message, "binding.tokens", "takes 2 argument(s) (count, unit)", "got 3");
    }

    [Fact]
    public void Bind_CancellationTokenByName_IsUnknown()
    {
        var exception = BindFails("tokens", kwargs: """{"count": 5, "cancellationToken": null}""");

        AssertMentions(exception.Message, "binding.tokens", "no argument named 'cancellationToken'", "count, unit");
    }

    [Fact]
    public void Bind_TooManyArgs_NamesFunctionArgumentsAndFix()
    {
        var exception = BindFails("greet", args: """["ada", 2, "?", "extra"]""");

        AssertMentions(exception.Message, "binding.greet", "takes 3 argument(s) (name, times, punctuation)", "got 4", "Remove the extra arguments");
    }

    [Fact]
    public void Bind_MissingRequiredArg_NamesFunctionArgumentAndFix()
    {
        var exception = BindFails("greet", args: """["ada"]""");

        AssertMentions(exception.Message, "binding.greet", "missing argument 'times' (Int32)", "Pass it by position or by name");
    }

    [Fact]
    public void Bind_UnknownKwarg_NamesFunctionArgumentAndKnownArguments()
    {
        var exception = BindFails("greet", kwargs: """{"name": "ada", "times": 1, "volume": 3}""");

        AssertMentions(exception.Message, "binding.greet", "no argument named 'volume'", "Its arguments are: name, times, punctuation");
    }

    [Fact]
    public void Bind_ArgGivenByPositionAndByName_NamesFunctionArgumentAndFix()
    {
        var exception = BindFails("greet", args: """["ada", 2]""", kwargs: """{"NAME": "bob"}""");

        AssertMentions(exception.Message, "Argument 'name' of binding.greet", "given twice", "Give it once");
    }

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void Bind_WrongJsonType_NamesFunctionArgumentAndExpectedType(string args, string argument, string expected, string kind)
    {
        var exception = BindFails("greet", args: args);

        AssertMentions(exception.Message, $"Argument '{argument}' of binding.greet", $"expects {expected}", $"got JSON {kind}");
        Assert.IsType<JsonException>(exception.InnerException, exactMatch: false);
    }

    [Fact]
    public void Bind_NullForNonNullableInt_NamesFunctionArgumentAndExpectedType()
    {
        var exception = BindFails("greet", args: """["ada", null]""");

        AssertMentions(exception.Message, "Argument 'times' of binding.greet", "expects int (a whole number from -2147483648 to 2147483647)", "got JSON Null");
    }

    [Theory]
    [InlineData("""{"name": "ada"}""", "Object")]
    [InlineData("\"ada\"", "String")]
    [InlineData("7", "Number")]
    public void Bind_ArgsNotAnArray_NamesFunctionAndExpectedShape(string args, string kind)
    {
        var exception = BindFails("greet", args: args);

        AssertMentions(exception.Message, "args for binding.greet", "must be a JSON array", $"not {kind}");
    }

    [Theory]
    [InlineData("""["ada"]""", "Array")]
    [InlineData("\"ada\"", "String")]
    public void Bind_KwargsNotAnObject_NamesFunctionAndExpectedShape(string kwargs, string kind)
    {
        var exception = BindFails("greet", kwargs: kwargs);

        AssertMentions(exception.Message, "kwargs for binding.greet", "must be a JSON object", $"not {kind}");
    }

    private object?[] Bind(string function, string? args = null, string? kwargs = null) =>
        ArgumentBinder.Bind(Registry.Resolve("binding", null, function), Json(args), Json(kwargs), _token);

    private InvalidInputException BindFails(string function, string? args = null, string? kwargs = null) =>
        Assert.Throws<InvalidInputException>(() => Bind(function, args, kwargs));

    private static JsonElement? Json(string? text) => text is null ? null : JsonSerializer.Deserialize<JsonElement>(text);

    private static void AssertMentions(string message, params string[] parts)
    {
        foreach (var part in parts)
        {
            Assert.Contains(part, message, StringComparison.Ordinal);
        }
    }

    [App("binding")]
    public static class BindingJobs
    {
        [Function]
        public static string Greet(string name, int times, string punctuation = "!") =>
            string.Concat(Enumerable.Repeat(name, times)) + punctuation;

        [Function]
        [SuppressMessage("Design", "CA1068", Justification = "The token is in the middle on purpose: the binder must put it there.")]
        public static string Tokens(int count, CancellationToken cancellationToken, string unit = "tokens") =>
            cancellationToken.IsCancellationRequested ? "" : $"{count} {unit}";

        [Function]
        public static int? Maybe(int? value) => value;

        [Function]
        public static int Ping() => 1;
    }
}
