using System.Reflection;

namespace Pipeline.Contracts;

/// <summary>One method of a contract: its wire name, its wire arguments (the token excluded) and what it returns.</summary>
/// <param name="Method">The interface method.</param>
/// <param name="WireName">The name callers and hosts use (kebab-case).</param>
/// <param name="Arguments">The arguments that travel, in order.</param>
/// <param name="TokenIndex">The position of its <see cref="CancellationToken"/> argument; -1 when it has none.</param>
/// <param name="ResultType">What the call yields: <c>T</c> for <c>Task&lt;T&gt;</c>, <c>ValueTask&lt;T&gt;</c> or <c>T</c>; <see cref="void"/> for none.</param>
internal sealed record ContractMethod(MethodInfo Method, string WireName, IReadOnlyList<ParameterInfo> Arguments, int TokenIndex, Type ResultType)
{
    /// <summary>What a method returning <paramref name="returnType"/> yields to its caller.</summary>
    public static Type Unwrap(Type returnType)
    {
        if (returnType == typeof(Task) || returnType == typeof(ValueTask) || returnType == typeof(void))
        {
            return typeof(void);
        }

        if (returnType.IsGenericType && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return returnType.GetGenericArguments()[0];
        }

        return returnType;
    }
}
