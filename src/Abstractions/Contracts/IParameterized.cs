namespace Pipeline;

/// <summary>
/// Makes a <see cref="ContractAttribute"/> interface a parameterized class whose parameters are
/// <typeparamref name="TParameters"/>: a positional record such as
/// <c>public sealed record ModelParameters(string Name, int Size = 100);</c>. Each property is a parameter named in
/// camelCase (or by <c>[property: Parameter(Name = ...)]</c>), of type <c>string</c>, <c>int</c>, <c>long</c>,
/// <c>bool</c> or <c>byte[]</c>; a constructor default is the parameter's default. The compiler then checks that
/// <c>client.Cls&lt;IModel, ModelParameters&gt;(...)</c> gives the class its own parameter type.
/// </summary>
/// <typeparam name="TParameters">The parameter record.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1040:Avoid empty interfaces", Justification = "A marker the compiler checks in Cls<TContract, TParameters>; an attribute could not be checked.")]
public interface IParameterized<TParameters>
    where TParameters : class
{
}
