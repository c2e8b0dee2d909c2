using System.Collections;
using System.Reflection;

namespace Pipeline.Consumers.Batching;

/// <summary>
/// The shape of a <c>[Batched]</c> method (Modal's rules, modal-semantics.md section 4): every argument is a list with
/// one element per input, and it returns a list with one result per input, in input order. Read once by discovery,
/// which refuses any other shape; callers give single elements.
/// </summary>
internal sealed class BatchSignature
{
    // Parameters receive a List<T> (or a T[] when they ask for one); every one of these accepts a List<T>.
    private static readonly Type[] ParameterLists =
        [typeof(List<>), typeof(IList<>), typeof(IReadOnlyList<>), typeof(ICollection<>), typeof(IReadOnlyCollection<>), typeof(IEnumerable<>)];

    // An IEnumerable<T> result may be lazy (a generator, which Modal forbids): results must be a materialized list.
    private static readonly Type[] ResultLists =
        [typeof(List<>), typeof(IList<>), typeof(IReadOnlyList<>), typeof(ICollection<>), typeof(IReadOnlyCollection<>)];

    private static readonly string Lists = "List<T>, T[], IList<T>, IReadOnlyList<T> or IEnumerable<T>";

    private readonly Dictionary<int, (Type Element, bool IsArray)> _lists;

    private BatchSignature(Dictionary<int, (Type Element, bool IsArray)> lists, Type resultElement)
    {
        _lists = lists;
        ResultElement = resultElement;
    }

    /// <summary>The element type of the returned list.</summary>
    public Type ResultElement { get; }

    /// <summary>Reads a batched method's shape, adding one problem per broken rule (each naming the method and the rule).</summary>
    public static BatchSignature? Read(MethodInfo method, string where, ICollection<string> problems)
    {
        var before = problems.Count;
        var lists = new Dictionary<int, (Type Element, bool IsArray)>();
        foreach (var parameter in method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)))
        {
            var name = parameter.Name ?? $"arg{parameter.Position}";
            if (parameter.HasDefaultValue)
            {
                problems.Add($"[Batched] {where} parameter '{name}' has a default value. A batched method takes no defaults (every input gives every argument, as in Modal); remove it.");
            }

            if (ListOf(parameter.ParameterType, ParameterLists) is { } list)
            {
                lists[parameter.Position] = list;
            }
            else
            {
                var type = Readable(parameter.ParameterType);
                problems.Add($"[Batched] {where} parameter '{name}' is {type}, not a list. Each argument of a batched method is a list with one element per input: make it List<{type}> (or {Lists}).");
            }
        }

        if (method.GetParameters().All(p => p.ParameterType == typeof(CancellationToken)))
        {
            problems.Add($"[Batched] {where} takes no arguments, so it could not tell its inputs apart nor return one result each. Give it at least one list parameter, one element per input.");
        }

        var returns = Awaited(method.ReturnType);
        Type? resultElement = null;
        if (returns is null)
        {
            problems.Add($"[Batched] {where} returns nothing. A batched method returns a list with one result per input, in input order: return List<T> or T[] (or a Task or ValueTask of one).");
        }
        else if (ListOf(returns, ResultLists) is { } result)
        {
            resultElement = result.Element;
        }
        else
        {
            var lazy = returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(IEnumerable<>) ? " (which may be lazy)" : "";
            problems.Add($"[Batched] {where} returns {Readable(returns)}{lazy}, not a list. Return List<T>, T[], IList<T> or IReadOnlyList<T> (or a Task or ValueTask of one) with one result per input, in input order.");
        }

        return problems.Count > before || resultElement is null ? null : new BatchSignature(lists, resultElement);
    }

    /// <summary>The element type of the list parameter at <paramref name="position"/>: what each caller gives.</summary>
    public Type ElementType(int position) => _lists[position].Element;

    /// <summary>The method's arguments for one batch: each list holds input i's value at index i; the token goes where the method takes one.</summary>
    public object?[] Arguments(IReadOnlyList<object?[]> inputs, int tokenIndex, CancellationToken cancellationToken)
    {
        var values = new object?[inputs[0].Length];
        foreach (var (position, (element, isArray)) in _lists)
        {
            var list = isArray
                ? (IList)Array.CreateInstance(element, inputs.Count)
                : (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element), inputs.Count)!;
            for (var i = 0; i < inputs.Count; i++)
            {
                if (isArray)
                {
                    list[i] = inputs[i][position];
                }
                else
                {
                    list.Add(inputs[i][position]);
                }
            }

            values[position] = list;
        }

        if (tokenIndex >= 0)
        {
            values[tokenIndex] = cancellationToken;
        }

        return values;
    }

    /// <summary>The returned list's items, or null when the method returned null.</summary>
    public static IReadOnlyList<object?>? Results(object? returned) => returned switch
    {
        IEnumerable items => items.Cast<object?>().ToList(),
        _ => null,
    };

    private static (Type Element, bool IsArray)? ListOf(Type type, Type[] allowed)
    {
        if (type.IsSZArray)
        {
            return (type.GetElementType()!, true);
        }

        return type.IsGenericType && allowed.Contains(type.GetGenericTypeDefinition()) ? (type.GetGenericArguments()[0], false) : null;
    }

    // The type a method's result is, once awaited; null for void, Task and ValueTask.
    private static Type? Awaited(Type type)
    {
        if (type == typeof(void) || type == typeof(Task) || type == typeof(ValueTask))
        {
            return null;
        }

        return type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? type.GetGenericArguments()[0]
            : type;
    }

    private static string Readable(Type type)
    {
        if (type.IsSZArray)
        {
            return Readable(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType)
        {
            return Keyword(type) ?? type.Name;
        }

        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Readable))}>";
    }

    private static string? Keyword(Type type) => type.IsEnum ? null : Type.GetTypeCode(type) switch
    {
        TypeCode.Int32 => "int",
        TypeCode.Int64 => "long",
        TypeCode.String => "string",
        TypeCode.Boolean => "bool",
        TypeCode.Double => "double",
        TypeCode.Single => "float",
        TypeCode.Decimal => "decimal",
        TypeCode.Byte => "byte",
        _ => type == typeof(object) ? "object" : null,
    };
}
