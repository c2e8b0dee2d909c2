namespace Pipeline.IntegrationTests.App;

/// <summary>An app's options, bound from the worker host's configuration (<c>Itest:Greeting</c>).</summary>
public sealed class GreetingOptions
{
    /// <summary>The section.</summary>
    public const string Section = "Itest:Greeting";

    /// <summary>What ends a greeting. Default: <c>.</c>.</summary>
    public string Punctuation { get; set; } = ".";
}
