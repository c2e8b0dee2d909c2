using System.Reflection;
using Pipeline.Contracts;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Discovery;

/// <summary>
/// Checks at start-up that each implementation matches the contract its callers compile against: a <c>[Cls]</c> class
/// and the <see cref="ContractAttribute"/> interface it implements (app, class name, parameters with their types and
/// defaults, method wire names and argument names), and a class marked <see cref="ImplementsAttribute"/> and its
/// function-set contract (every method present as a <c>[Function]</c>, with the same arguments and result type). The
/// compiler has already checked what an interface implementation can get wrong in C#; this checks the rest.
/// </summary>
internal static class ContractCheck
{
    /// <summary>Whether <paramref name="method"/> of <paramref name="type"/> implements a method of one of its contracts (and so is callable without [Method]).</summary>
    public static bool ImplementsContract(Type type, MethodInfo method) => Contracts(type)
        .SelectMany(contract => contract.GetInterfaces().Append(contract))
        .Any(contract => type.GetInterfaceMap(contract).TargetMethods.Contains(method));

    public static void Check(IReadOnlyList<Type> types, IReadOnlyList<AppDefinition> apps, List<string> problems)
    {
        var classes = apps.SelectMany(a => a.Classes.Values).ToDictionary(c => c.Type);
        var functions = apps.SelectMany(a => a.Functions.Values).ToList();
        foreach (var type in types)
        {
            if (classes.TryGetValue(type, out var cls))
            {
                foreach (var contract in Contracts(type))
                {
                    CheckClass(cls, contract, problems);
                }
            }

            foreach (var implements in type.GetCustomAttributes<ImplementsAttribute>(inherit: false))
            {
                CheckFunctions(type, implements.Contract, functions.Where(f => f.Method.DeclaringType == type).ToList(), problems);
            }
        }
    }

    private static IEnumerable<Type> Contracts(Type type) => type.IsInterface
        ? []
        : type.GetInterfaces().Where(i => i.IsDefined(typeof(ContractAttribute), inherit: false));

    private static void CheckClass(ClassDefinition cls, Type contractType, List<string> problems)
    {
        var contract = ContractDescription.Of(contractType);
        var where = $"[Cls] class {cls.Type.Name} (contract {contractType.Name})";
        if (contract.Problems.Count > 0)
        {
            problems.AddRange(contract.Problems.Select(p => $"{where}: {p}"));
            return;
        }

        if (contract.ClassName is null)
        {
            problems.Add($"{where}: {contractType.Name} is a function-set contract, but {cls.Type.Name} is a [Cls] class. Make the contract extend IParameterized<TParameters>, or implement it with [Implements(typeof({contractType.Name}))] on a class of static [Function]s.");
            return;
        }

        if (contract.App != cls.App)
        {
            problems.Add($"{where}: the class is in app '{cls.App}' but its contract names app '{contract.App}'. Use one app name ([assembly: App(\"...\")] on both assemblies, or [Contract(App = \"{cls.App}\")]).");
        }

        if (contract.ClassName != cls.Name)
        {
            problems.Add($"{where}: the class is '{cls.Name}' on the wire but its contract names it '{contract.ClassName}'. Rename the class, set [Cls(Name = \"{contract.ClassName}\")], or set [Contract(Name = \"{cls.Name}\")].");
        }

        CheckParameters(cls, contract, where, problems);
        foreach (var method in contract.Methods.Values)
        {
            // A method of an interface the contract extends is mapped by that interface.
            var map = cls.Type.GetInterfaceMap(method.Method.DeclaringType!);
            var target = map.TargetMethods[Array.IndexOf(map.InterfaceMethods, method.Method)];
            var callable = cls.Methods.Values.FirstOrDefault(c => c.Method == target || c.Method == target.GetBaseDefinition());
            if (callable is null)
            {
                problems.Add($"{where}: {contractType.Name}.{method.Method.Name} is implemented by {target.Name}, which is not a callable method (explicit implementations and hooks are not). Implement it with a public instance method.");
                continue;
            }

            CheckCallable(contractType, method, callable, problems);
        }
    }

    private static void CheckParameters(ClassDefinition cls, ContractDescription contract, string where, List<string> problems)
    {
        // No [Parameter] members: the record is the class's schema (its constructor may take it), so nothing can differ.
        if (cls.Parameters.Count == 0 && cls.Record?.Type == contract.ParametersType)
        {
            return;
        }

        var record = contract.ParametersType!.Name;
        foreach (var wanted in contract.Parameters.Select(p => p.Spec))
        {
            var member = cls.Parameters.FirstOrDefault(p => p.Spec.Name == wanted.Name);
            if (member is null)
            {
                problems.Add($"{where}: {record} declares parameter '{wanted.Name}' ({Describe(wanted)}) but the class has no [Parameter] of that name. Add one with the same type and default, or remove every [Parameter] and take {record} in the constructor.");
            }
            else if (member.Spec.TypeName != wanted.TypeName)
            {
                problems.Add($"{where}: parameter '{wanted.Name}' is {wanted.TypeName} in {record} but {member.Spec.TypeName} in {cls.Type.Name}.{member.Member.Name}. Use the same type on both sides.");
            }
            else if (!Equals(member.Spec.Default, wanted.Default))
            {
                problems.Add($"{where}: parameter '{wanted.Name}' is {Describe(wanted)} in {record} but {Describe(member.Spec)} in {cls.Type.Name}.{member.Member.Name}. Use the same default on both sides: defaults are applied before hashing, so they pick the pool.");
            }
        }

        foreach (var extra in cls.Parameters.Where(p => contract.Parameters.All(c => c.Spec.Name != p.Spec.Name)))
        {
            problems.Add($"{where}: {cls.Type.Name}.{extra.Member.Name} is parameter '{extra.Spec.Name}', which {record} does not declare. Add it to the record, or remove [Parameter].");
        }
    }

    private static void CheckFunctions(Type type, Type contractType, List<Callable> functions, List<string> problems)
    {
        var where = $"{type.Name} [Implements(typeof({contractType.Name}))]";
        var contract = ContractDescription.Of(contractType);
        if (contract.Problems.Count > 0)
        {
            problems.AddRange(contract.Problems.Select(p => $"{where}: {p}"));
            return;
        }

        if (contract.ClassName is not null)
        {
            problems.Add($"{where}: {contractType.Name} is a class contract; implement it with a [Cls] class ('[Cls] public sealed class {contract.ClassName} : {contractType.Name}').");
            return;
        }

        foreach (var method in contract.Methods.Values)
        {
            var callable = functions.FirstOrDefault(f => f.Name == method.WireName);
            if (callable is null)
            {
                problems.Add($"{where}: there is no [Function] named '{method.WireName}' for {contractType.Name}.{method.Method.Name}. Add '[Function] public static {Signature(method.Method)}' to {type.Name}.");
                continue;
            }

            if (callable.App != contract.App)
            {
                problems.Add($"{where}: {callable.Method.Name} is in app '{callable.App}' but the contract names app '{contract.App}'. Use one app name.");
            }

            CheckCallable(contractType, method, callable, problems);
            var result = ContractMethod.Unwrap(callable.Method.ReturnType);
            if (callable.Batched is null && result != method.ResultType)
            {
                problems.Add($"{where}: {contractType.Name}.{method.Method.Name} yields {TypeName(method.ResultType)} but {type.Name}.{callable.Method.Name} yields {TypeName(result)}. Return the contract's type.");
            }
        }
    }

    private static void CheckCallable(Type contractType, ContractMethod method, Callable callable, List<string> problems)
    {
        var where = $"{callable.Method.DeclaringType?.Name}.{callable.Method.Name} (contract {contractType.Name}.{method.Method.Name})";
        if (callable.Name != method.WireName)
        {
            problems.Add($"{where}: the method is '{callable.Name}' on the wire but the contract's is '{method.WireName}'. Use the same [Method(Name = ...)] on both, or none.");
        }

        if (callable.Arguments.Count != method.Arguments.Count)
        {
            problems.Add($"{where}: the contract passes {method.Arguments.Count} argument(s) ({Names(method.Arguments.Select(a => a.Name))}) but the method takes {callable.Arguments.Count} ({Names(callable.Arguments.Select(a => a.Name))}). Take the same arguments (a CancellationToken is not one).");
            return;
        }

        for (var i = 0; i < method.Arguments.Count; i++)
        {
            var wanted = method.Arguments[i];
            var actual = callable.Arguments[i];
            if (wanted.ParameterType != actual.Type)
            {
                problems.Add($"{where}: argument {i + 1} is {TypeName(wanted.ParameterType)} '{wanted.Name}' in the contract but {TypeName(actual.Type)} '{actual.Name}' in the method. Use the contract's type.");
            }
            else if (wanted.Name != actual.Name)
            {
                problems.Add($"{where}: argument {i + 1} is '{wanted.Name}' in the contract but '{actual.Name}' in the method. Use the same name: callers in other languages pass arguments by name.");
            }
            else if (wanted.HasDefaultValue != actual.IsOptional || (wanted.HasDefaultValue && !Equals(wanted.DefaultValue, actual.DefaultValue)))
            {
                problems.Add($"{where}: argument '{wanted.Name}' has {DefaultOf(wanted.HasDefaultValue, wanted.DefaultValue)} in the contract but {DefaultOf(actual.IsOptional, actual.DefaultValue)} in the method. Use the same default.");
            }
        }
    }

    private static string Describe(ParameterSpec spec) => spec.Default is null ? $"{spec.TypeName}, required" : $"{spec.TypeName}, default {spec.Default}";

    private static string DefaultOf(bool has, object? value) => has ? $"default {value ?? "null"}" : "no default";

    private static string Names(IEnumerable<string?> names) => string.Join(", ", names);

    private static string Signature(MethodInfo method) =>
        $"{TypeName(method.ReturnType)} {method.Name}({string.Join(", ", method.GetParameters().Select(p => $"{TypeName(p.ParameterType)} {p.Name}"))})";

    private static string TypeName(Type type) => type == typeof(void) ? "nothing"
        : type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>"
        : type.Name;
}
