using Pipeline.IntegrationTests.App;

namespace Pipeline.IntegrationTests.Contracts;

/// <summary>The parameterized class <c>itest.model</c>, whose lifecycle the tests watch, as its callers see it.</summary>
[Contract]
public interface IModel : IParameterized<ModelParameters>
{
    /// <summary>Answers at once with "name:size:prompt".</summary>
    /// <param name="prompt">The prompt.</param>
    Reply Generate(string prompt);

    /// <summary>Answers "name:prompt" after <paramref name="milliseconds"/>.</summary>
    /// <param name="prompt">The prompt.</param>
    /// <param name="milliseconds">How long it takes.</param>
    /// <param name="cancellationToken">The call's token.</param>
    Task<Reply> SlowAsync(string prompt, int milliseconds, CancellationToken cancellationToken);
}
