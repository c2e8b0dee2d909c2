namespace Pipeline;

/// <summary>
/// Binds a class holding static <c>[Function]</c> methods to the function-set contract it implements (a static method
/// cannot implement an interface, so the compiler cannot check it): at start-up the worker host checks that every
/// method of <paramref name="contract"/> has a <c>[Function]</c> here with the same wire name, argument names and types,
/// and result type. A <c>[Cls]</c> class implements its contract interface instead.
/// <code>
/// [Implements(typeof(IJobs))]
/// public static class Jobs { [Function] public static int Square(int x) => x * x; }
/// </code>
/// </summary>
/// <param name="contract">The <see cref="ContractAttribute"/> interface.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ImplementsAttribute(Type contract) : Attribute
{
    /// <summary>The contract interface.</summary>
    public Type Contract { get; } = contract;
}
