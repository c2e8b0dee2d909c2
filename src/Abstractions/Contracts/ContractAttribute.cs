namespace Pipeline;

/// <summary>
/// Marks an interface as a contract that callers share with an app: a set of functions, or (when it also extends
/// <see cref="IParameterized{TParameters}"/>) a parameterized class. A contracts assembly references only
/// Pipeline.Abstractions; callers call it with <c>client.Function&lt;IJobs&gt;()</c> or
/// <c>client.Cls&lt;IModel, ModelParameters&gt;(parameters)</c>, and the worker host checks at start-up that the
/// implementation matches it.
/// <code>
/// [Contract(App = "inference")]
/// public interface IModel : IParameterized&lt;ModelParameters&gt;
/// {
///     Task&lt;string&gt; GenerateAsync(string prompt, CancellationToken ct);
/// }
/// </code>
/// Wire names follow the same kebab-case rules as implementations: <c>GenerateAsync</c> is <c>generate</c>
/// (or <c>[Method(Name = ...)]</c> on the contract's method), and a class contract <c>IModel</c> is the class <c>model</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class ContractAttribute : Attribute
{
    /// <summary>The app name; defaults to <c>[assembly: App("...")]</c> of the contracts assembly.</summary>
    public string? App { get; set; }

    /// <summary>A class contract's class name; defaults to the interface name without its leading <c>I</c> (<c>IModel</c> is <c>model</c>).</summary>
    public string? Name { get; set; }
}
