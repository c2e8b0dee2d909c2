using System.CommandLine;

namespace Pipeline.Cli.Calls;

/// <summary>The words <c>call</c>, <c>spawn</c> and <c>map</c> share: the app, the function or method, and class parameters.</summary>
internal sealed class CallArguments
{
    public Argument<string> App { get; } = new("app") { Description = "The app name, as in [assembly: App(\"name\")]." };

    public Argument<string> Target { get; } = new("function")
    {
        Description = "The function (square), or a class method as <class>.<method> (model.generate); C# or kebab-case names.",
    };

    public Option<string[]> Parameters { get; } = new("--param", "-p")
    {
        Description = "A class parameter, name=value (--param name=llama --param size=7); defaults fill the rest.",
        HelpName = "name=value",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The positional arguments of the function, each one JSON value; a word that is not JSON is a string.</summary>
    public Argument<string[]> Args { get; } = new("args")
    {
        Description = "The function's arguments, each one JSON value: 7, '\"hi\"', '[1,2]', '{\"a\":1}'; a word that is not JSON is a string (hi).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public CallRequest Read(ParseResult result, bool withArgs = true) => CallRequest.Parse(
        result.GetRequiredValue(App),
        result.GetRequiredValue(Target),
        result.GetValue(Parameters) ?? [],
        withArgs ? result.GetValue(Args) ?? [] : []);
}
