namespace Pipeline;

/// <summary>
/// The app's attributes are wrong; thrown once at start-up with every problem found, each naming the type,
/// the member and the fix. Nothing runs until they are fixed.
/// </summary>
public sealed class AppDefinitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AppDefinitionException()
        : this([])
    {
    }

    /// <summary>Creates the exception with one problem.</summary>
    /// <param name="message">The problem.</param>
    public AppDefinitionException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with one problem and its cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public AppDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception with every problem found.</summary>
    /// <param name="problems">The problems, one sentence each.</param>
    public AppDefinitionException(IReadOnlyList<string> problems)
        : base(Format(problems))
    {
        Problems = problems;
    }

    /// <summary>Each problem, one sentence naming the type, the member and the fix.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(IReadOnlyList<string> problems) => problems.Count switch
    {
        0 => "The app definition is invalid.",
        1 => "The app definition is invalid: " + problems[0],
        _ => $"The app definition has {problems.Count} problems:{Environment.NewLine}- " + string.Join(Environment.NewLine + "- ", problems),
    };
}
