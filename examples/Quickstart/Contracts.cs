using Pipeline;

namespace Quickstart;

// What callers compile against. A real service would keep these in a contracts project that references only
// Pipeline.Abstractions, and call them with Pipeline.Client; the demo keeps them next to the implementation.

/// <summary>The parameters of <see cref="IModel"/>: each distinct (Name, Size) is its own pool. Size defaults to 100.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Size">Its size.</param>
public sealed record ModelParameters(string Name, int Size = 100);

/// <summary>The class <c>quickstart.model</c>, as callers see it.</summary>
[Contract]
public interface IModel : IParameterized<ModelParameters>
{
    /// <summary>Generates text.</summary>
    /// <param name="prompt">The prompt.</param>
    /// <returns>The text.</returns>
    string Generate(string prompt);

    /// <summary>Counts tokens, times the model's size.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The count.</returns>
    int CountTokens(string text);
}

/// <summary>The functions of the app <c>quickstart</c>, as callers see them.</summary>
[Contract]
public interface IJobs
{
    /// <summary>x squared.</summary>
    /// <param name="x">The number.</param>
    /// <returns>x * x.</returns>
    int Square(int x);

    /// <summary>Writes a report.</summary>
    /// <param name="title">Its title.</param>
    /// <param name="ct">The call's token.</param>
    /// <returns>What was done.</returns>
    Task<string> ReportAsync(string title, CancellationToken ct);

    /// <summary>Always throws.</summary>
    /// <param name="why">The message.</param>
    /// <returns>Nothing: it throws.</returns>
    string Fail(string why);
}
