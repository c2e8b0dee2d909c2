using Pipeline.IntegrationTests.App;

namespace Pipeline.IntegrationTests.Contracts;

/// <summary>The plain functions most tests call, as their callers see them.</summary>
[Contract]
public interface IWork
{
    /// <summary>Answers with <paramref name="tag"/> at once.</summary>
    /// <param name="tag">The input's tag.</param>
    Reply Echo(string tag);

    /// <summary>Answers with <paramref name="tag"/> after <paramref name="milliseconds"/> (its timeout is a minute).</summary>
    /// <param name="tag">The input's tag.</param>
    /// <param name="milliseconds">How long it takes.</param>
    /// <param name="cancellationToken">The call's token.</param>
    Task<Reply> SlowAsync(string tag, int milliseconds, CancellationToken cancellationToken);
}
