using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Client;

/// <summary>
/// The client's untyped calls, as an interface a service takes by injection (and fakes in its own tests).
/// <see cref="PipelineClient"/> is the implementation every registration gives.
/// </summary>
public interface IPipelineClient
{
    /// <summary>A plain function of an app (Modal's <c>Function.from_name(app, name)</c>).</summary>
    /// <param name="app">The app name.</param>
    /// <param name="name">The function name: C# name or kebab-case (<c>NightlyReport</c> or <c>nightly-report</c>).</param>
    /// <exception cref="ArgumentException">The app or function is not known.</exception>
    [SuppressMessage("Naming", "CA1716", Justification = "The names of PipelineClient's existing methods, which the interface mirrors.")]
    FunctionHandle Function(string app, string name);

    /// <summary>A parameterized class of an app (Modal's <c>Cls.from_name(app, name)</c>); choose its parameters with <see cref="ClsHandle.With(object?)"/>.</summary>
    /// <param name="app">The app name.</param>
    /// <param name="name">The class name.</param>
    /// <exception cref="ArgumentException">The app or class is not known.</exception>
    ClsHandle Cls(string app, string name);

    /// <summary>A spawned call, by id, from this or any other process (Modal's <c>FunctionCall.from_id</c>). No I/O until used.</summary>
    /// <param name="callId">The id from <see cref="FunctionCall.Id"/>.</param>
    [SuppressMessage("Naming", "CA1716", Justification = "The names of PipelineClient's existing methods, which the interface mirrors.")]
    FunctionCall Call(string callId);
}
