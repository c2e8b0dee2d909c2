using System.Collections.Concurrent;
using System.Reflection;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Contracts;

/// <summary>
/// What a <see cref="ContractAttribute"/> interface means on the wire: its app, its class name and parameters (for a
/// class contract) and its methods' wire names. Read once per interface; the client and the worker host's start-up
/// check read the same description, so both sides name things alike.
/// </summary>
internal sealed class ContractDescription
{
    private static readonly ConcurrentDictionary<Type, ContractDescription> Cache = new();
    private readonly List<string> _problems = [];

    private ContractDescription(Type type)
    {
        Type = type;
        var attribute = type.GetCustomAttribute<ContractAttribute>(inherit: false);
        if (!type.IsInterface || attribute is null)
        {
            _problems.Add($"{type.Name} is not a contract. Mark an interface with [Contract] (and extend IParameterized<TParameters> for a class).");
            App = "";
            Methods = new Dictionary<MethodInfo, ContractMethod>();
            Parameters = [];
            return;
        }

        var app = attribute.App ?? type.Assembly.GetCustomAttribute<AppAttribute>()?.Name;
        App = app is null ? "" : Names.Normalize(app);
        if (App.Length == 0)
        {
            _problems.Add($"Contract {type.Name} names no app. Set [Contract(App = \"name\")] on it, or add [assembly: App(\"name\")] to its assembly.");
        }

        ParametersType = type.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IParameterized<>))?.GetGenericArguments()[0];
        if (ParametersType is not null)
        {
            ClassName = Names.Normalize(attribute.Name ?? (type.Name.Length > 1 && type.Name[0] == 'I' && char.IsUpper(type.Name[1]) ? type.Name[1..] : type.Name));
            Parameters = ReadParameters(ParametersType);
            Schema = new ParameterSchema($"{App}.{ClassName}", Parameters.Select(p => p.Spec));
        }
        else
        {
            Parameters = [];
        }

        Methods = ReadMethods(type);
    }

    public Type Type { get; }

    /// <summary>The app, normalized.</summary>
    public string App { get; }

    /// <summary>The class name, normalized; null for a set of functions.</summary>
    public string? ClassName { get; }

    /// <summary>The parameter record; null for a set of functions.</summary>
    public Type? ParametersType { get; }

    /// <summary>The parameters' schema, in the record's order; null for a set of functions.</summary>
    public ParameterSchema? Schema { get; }

    public IReadOnlyList<ContractParameter> Parameters { get; }

    public IReadOnlyDictionary<MethodInfo, ContractMethod> Methods { get; }

    /// <summary>What is wrong with the contract itself; empty when it can be called.</summary>
    public IReadOnlyList<string> Problems => _problems;

    public static ContractDescription Of(Type type) => Cache.GetOrAdd(type, static t => new ContractDescription(t));

    /// <summary>The description of a contract that can be called, or an exception listing what is wrong with it.</summary>
    /// <exception cref="InvalidOperationException">The contract is not valid.</exception>
    public static ContractDescription Valid(Type type)
    {
        var description = Of(type);
        return description.Problems.Count == 0
            ? description
            : throw new InvalidOperationException($"Contract {type.Name} cannot be called: {string.Join(" ", description.Problems)}");
    }

    /// <summary>Binds a parameter record's values, defaults applied, exactly as <c>With(new { ... })</c> would.</summary>
    /// <exception cref="ParameterException">A value is out of range, null, or the set is over 16 KiB.</exception>
    public ParameterSet Bind(object parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Schema!.Bind(Parameters.Select(p => new KeyValuePair<string, object?>(p.Spec.Name, p.Property.GetValue(parameters))));
    }

    private List<ContractParameter> ReadParameters(Type record)
    {
        var properties = record.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var constructor = record.GetConstructors()
            .Where(c => c.GetParameters().All(p => properties.Any(q => string.Equals(q.Name, p.Name, StringComparison.Ordinal))))
            .MaxBy(c => c.GetParameters().Length);
        if (constructor is null || constructor.GetParameters().Length == 0)
        {
            _problems.Add($"Parameters {record.Name} of contract {Type.Name} is not a positional record. Declare it as 'public sealed record {record.Name}(string Name, int Size = 100);'.");
            return [];
        }

        var result = new List<ContractParameter>();
        foreach (var parameter in constructor.GetParameters())
        {
            var property = properties.First(p => p.Name == parameter.Name);
            var where = $"{record.Name}.{property.Name}";
            var type = property.PropertyType;
            ParameterType? kind = type == typeof(string) ? ParameterType.String
                : type == typeof(int) || type == typeof(long) ? ParameterType.Int
                : type == typeof(bool) ? ParameterType.Bool
                : type == typeof(byte[]) ? ParameterType.Bytes
                : null;
            if (kind is null)
            {
                _problems.Add($"Parameter {where} has type {type.Name}, which is not supported. Use string, int, long, bool or byte[].");
                continue;
            }

            ParameterValue? defaultValue = null;
            if (parameter.HasDefaultValue)
            {
                defaultValue = parameter.DefaultValue switch
                {
                    string s => ParameterValue.FromString(s),
                    int i => ParameterValue.FromInt(i),
                    long l => ParameterValue.FromInt(l),
                    bool b => ParameterValue.FromBool(b),
                    _ => null,
                };
                if (defaultValue is null)
                {
                    _problems.Add($"Parameter {where} defaults to null, which no parameter can be. Give it a value, or no default (required).");
                    continue;
                }
            }

            var name = property.GetCustomAttribute<ParameterAttribute>()?.Name ?? JsonName(property.Name);
            result.Add(new ContractParameter(property, kind == ParameterType.Int && type == typeof(int)
                ? ParameterSpec.ForInt(name, defaultValue)
                : new ParameterSpec(name, kind.Value, defaultValue)));
        }

        return result;
    }

    private Dictionary<MethodInfo, ContractMethod> ReadMethods(Type type)
    {
        var methods = new Dictionary<MethodInfo, ContractMethod>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var method in type.GetMethods().Concat(type.GetInterfaces().SelectMany(i => i.GetMethods())).Where(m => !m.IsSpecialName && !m.IsStatic))
        {
            var where = $"{method.DeclaringType?.Name}.{method.Name}";
            var wire = Names.Normalize(method.GetCustomAttribute<MethodAttribute>()?.Name ?? method.Name);
            var arguments = new List<ParameterInfo>();
            var token = -1;
            foreach (var parameter in method.GetParameters())
            {
                if (parameter.ParameterType == typeof(CancellationToken))
                {
                    token = token < 0 ? parameter.Position : token;
                    continue;
                }

                if (parameter.ParameterType.IsByRef || parameter.IsOut)
                {
                    _problems.Add($"{where} argument '{parameter.Name}' is ref or out. Arguments travel as JSON; pass them by value.");
                }

                arguments.Add(parameter);
            }

            if (method.ContainsGenericParameters)
            {
                _problems.Add($"{where} is generic. Contract methods must be non-generic.");
            }

            if (wire.Length == 0)
            {
                _problems.Add($"{where} has no letters or digits in its name. Set [Method(Name = \"...\")].");
            }
            else if (!names.TryAdd(wire, method.Name))
            {
                _problems.Add($"{Type.Name} has two methods named '{wire}' ({names[wire]} and {method.Name}). Overloads share a wire name: rename one, or set [Method(Name = \"...\")].");
            }

            methods[method] = new ContractMethod(method, wire, arguments, token, ContractMethod.Unwrap(method.ReturnType));
        }

        return methods;
    }

    private static string JsonName(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
