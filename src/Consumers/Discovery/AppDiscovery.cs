using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using Pipeline.Consumers.Batching;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Discovery;

/// <summary>
/// Reflects over app assemblies once, at start-up, and builds the <see cref="AppRegistry"/>: the only way a
/// message reaches user code. Every mistake is collected and thrown together as an <see cref="AppDefinitionException"/>.
/// </summary>
internal sealed class AppDiscovery
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic |
        BindingFlags.Instance | BindingFlags.Static;

    private const int MaxConcurrentInputs = 1000;

    private static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);
    private static readonly TimeSpan MinScaledown = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxScaledown = TimeSpan.FromMinutes(20);

    private readonly List<string> _problems = [];
    private readonly Dictionary<string, AppBuilder> _apps = new(StringComparer.Ordinal);

    public static AppRegistry Discover(params IEnumerable<Assembly> assemblies) => Discover(assemblies.SelectMany(SafeTypes));

    /// <summary>Discovers the given types only (tests use this to check one mistake at a time).</summary>
    public static AppRegistry Discover(IEnumerable<Type> types)
    {
        var discovery = new AppDiscovery();
        var ordered = types.Distinct().OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();
        foreach (var type in ordered)
        {
            discovery.Visit(type);
        }

        discovery.CheckRoutes();
        ContractCheck.Check(ordered, discovery._apps.Values.Select(a => a.Build()).ToList(), discovery._problems);
        return discovery._problems.Count > 0
            ? throw new AppDefinitionException(discovery._problems)
            : new AppRegistry(discovery._apps.Values.Select(a => a.Build()));
    }

    private static IEnumerable<Type> SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    private void Visit(Type type)
    {
        var cls = type.GetCustomAttribute<ClsAttribute>(inherit: false);
        var methods = type.GetMethods(Declared).OrderBy(m => m.MetadataToken).ToList();
        CheckBatchedMarkers(methods);
        if (cls is not null)
        {
            VisitClass(type, cls);
        }
        else if (!type.IsAbstract)
        {
            // An abstract class may hold hooks and parameters for the [Cls] classes that derive from it.
            foreach (var method in methods.Where(m => !m.IsDefined(typeof(FunctionAttribute))))
            {
                if (method.IsDefined(typeof(MethodAttribute)) || method.IsDefined(typeof(EnterAttribute)) || method.IsDefined(typeof(ExitAttribute)))
                {
                    Problem($"{Describe(method)} is marked [{Marker(method)}] but {type.Name} has no [Cls] attribute. Add [Cls] to the class.");
                }
                else if (method.IsDefined(typeof(WebEndpointAttribute)) && !method.IsStatic)
                {
                    Problem($"{Describe(method)} is marked [WebEndpoint] but {type.Name} has no [Cls] attribute. Add [Cls] to the class, or make the method a static [Function].");
                }
            }

            foreach (var member in ParameterMembers(type, declaredOnly: true))
            {
                Problem($"{type.Name}.{member.Name} is marked [Parameter] but {type.Name} has no [Cls] attribute. Add [Cls] to the class.");
            }
        }

        // Static classes are abstract too: a static [WebEndpoint] outside a [Cls] class is checked here.
        foreach (var method in methods.Where(m => cls is null && m.IsStatic && m.IsDefined(typeof(WebEndpointAttribute)) && !m.IsDefined(typeof(FunctionAttribute))))
        {
            Problem($"{Describe(method)} is marked [WebEndpoint] but not [Function]. Add [Function] to it.");
        }

        foreach (var method in methods.Where(m => m.IsDefined(typeof(FunctionAttribute))))
        {
            VisitFunction(type, method);
        }
    }

    private void VisitFunction(Type type, MethodInfo method)
    {
        var attribute = method.GetCustomAttribute<FunctionAttribute>()!;
        if (method.IsDefined(typeof(EnterAttribute)) || method.IsDefined(typeof(ExitAttribute)) || method.IsDefined(typeof(MethodAttribute)))
        {
            Problem($"{Describe(method)} is both [Function] and [{Marker(method)}]. Keep one of them.");
            return;
        }

        // An instance function runs on an object of its class built for each input (constructor injection, a scope per input).
        if (!method.IsStatic && (type.IsAbstract || type.ContainsGenericParameters || type.IsValueType))
        {
            Problem($"{Describe(method)} is an instance [Function] in {(type.IsValueType ? "a struct" : type.IsAbstract ? "an abstract class" : "a generic class")}, so no object can be built to run it. Make it static, or move it to a concrete, non-generic class.");
            return;
        }

        var app = AppFor(type, method);
        if (app is null)
        {
            return;
        }

        var settings = ReadSettings(Describe(method), attribute, method.GetCustomAttribute<RetriesAttribute>() ?? type.GetCustomAttribute<RetriesAttribute>(), method.GetCustomAttribute<ConcurrentAttribute>());
        var callable = BuildCallable(app.Name, null, attribute.Name ?? method.Name, method, settings);
        if (callable is not null)
        {
            if (callable.Batched is not null && settings.MaxInputs is not null)
            {
                Problem($"{Describe(method)} is both [Concurrent] and [Batched]; a batched function already takes many inputs in one call. Remove one of them ([Batched] for many inputs per call, [Concurrent] for many calls at once).");
            }

            if (callable.WebEndpoint is not null)
            {
                CheckWebArguments(callable, []);
            }

            app.AddFunction(callable, this);
        }
    }

    private void VisitClass(Type type, ClsAttribute attribute)
    {
        var where = type.Name;
        var app = AppFor(type, null);
        if (type.IsAbstract || type.ContainsGenericParameters)
        {
            Problem($"[Cls] class {where} is {(type.IsAbstract ? "abstract or static" : "generic")}, so no container can build it. Make it a concrete, non-generic class.");
            return;
        }

        // Built by DI: the public constructor ActivatorUtilities picks, or a parameterless one of any access (as before).
        var constructor = type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes)
            ?? type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        var members = ParameterMembers(type, declaredOnly: false).ToList();
        if (constructor is null)
        {
            Problem($"[Cls] class {where} has no public constructor, so no container can build it. Add one; it may take services and its contract's parameters record, [Parameter] values are set after construction and heavy work belongs in [Enter].");
            return;
        }

        var parameters = new List<ParameterMember>();
        var sample = members.Count > 0 ? Construct(type, constructor) : null;
        if (members.Count > 0 && sample is null)
        {
            return;
        }

        foreach (var member in members)
        {
            var bound = BindParameter(type, member, sample);
            if (bound is not null)
            {
                parameters.Add(bound);
            }
        }

        // A class that declares no [Parameter] takes its parameters from its contract's record (through its constructor).
        var record = ParametersRecord.Of(type);
        var specs = (members.Count == 0 && record is not null ? record.Specs : parameters.Select(p => p.Spec)).ToList();
        var duplicates = parameters.GroupBy(p => p.Spec.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1);
        foreach (var duplicate in duplicates)
        {
            Problem($"[Cls] class {where} has two parameters named '{duplicate.Key}'. Rename one, or set [Parameter(Name = ...)].");
        }

        var settings = ReadSettings(where, attribute, type.GetCustomAttribute<RetriesAttribute>(), type.GetCustomAttribute<ConcurrentAttribute>());
        var hierarchy = Hierarchy(type);
        var enter = Hooks<EnterAttribute>(hierarchy);
        var exit = Hooks<ExitAttribute>(hierarchy);
        var className = Normalized(attribute.Name ?? type.Name, where);
        var methods = new Dictionary<string, Callable>(StringComparer.Ordinal);
        var seen = new HashSet<MethodInfo>();
        var candidates = hierarchy.SelectMany(t => t.GetMethods(Declared).OrderBy(m => m.MetadataToken))
            .Where(m => (m.IsDefined(typeof(MethodAttribute)) || m.IsDefined(typeof(WebEndpointAttribute)) || ContractCheck.ImplementsContract(type, m)) && !m.IsDefined(typeof(FunctionAttribute)));
        foreach (var method in candidates)
        {
            // An override is the same method as the one it overrides (virtual dispatch runs the override).
            if (!seen.Add(method.GetBaseDefinition()))
            {
                continue;
            }

            if (method.IsStatic)
            {
                Problem($"{Describe(method)} is a static [{(method.IsDefined(typeof(MethodAttribute)) ? "Method" : "WebEndpoint")}] in a [Cls] class. Make it an instance method, or mark it [Function].");
                continue;
            }

            if (method.IsDefined(typeof(ConcurrentAttribute)))
            {
                // Concurrency belongs to the container, which every method of the class shares.
                Problem($"[Concurrent] on {Describe(method)} would be ignored: a class's container runs all its methods. Put [Concurrent] on the class {where}.");
            }

            if (method.IsDefined(typeof(EnterAttribute)) || method.IsDefined(typeof(ExitAttribute)))
            {
                Problem($"{Describe(method)} is both [Method] and [{(method.IsDefined(typeof(EnterAttribute)) ? "Enter" : "Exit")}]. A lifecycle hook cannot be called as a method; split it into two methods.");
                continue;
            }

            var methodAttribute = method.GetCustomAttribute<MethodAttribute>();
            var methodSettings = method.GetCustomAttribute<RetriesAttribute>() is { } retries
                ? settings with { Retries = ReadRetries(Describe(method), retries) }
                : settings;
            var callable = BuildCallable(app?.Name ?? "", className, methodAttribute?.Name ?? method.Name, method, methodSettings);
            if (callable?.WebEndpoint is not null)
            {
                CheckWebArguments(callable, specs);
            }

            if (callable is not null && !methods.TryAdd(callable.Name, callable))
            {
                Problem($"[Cls] class {where} has two methods named '{callable.Name}'. Rename one, or set [Method(Name = ...)].");
            }
        }

        if (settings.MaxInputs is not null && methods.Values.FirstOrDefault(m => m.Batched is not null) is { } batchedMethod)
        {
            Problem($"[Cls] class {where} is [Concurrent] and its method '{batchedMethod.Name}' is [Batched]; a batched method already takes many inputs in one call. Remove one of them ([Batched] for many inputs per call, [Concurrent] for many calls at once).");
        }

        if (app is null || parameters.Count != members.Count || enter is null || exit is null)
        {
            return;
        }

        var schema = new ParameterSchema($"{app.Name}.{className}", specs);
        app.AddClass(
            new ClassDefinition
            {
                App = app.Name,
                Name = className,
                Type = type,
                Schema = schema,
                Parameters = parameters,
                Record = record,
                EnterHooks = enter,
                ExitHooks = exit,
                Methods = methods,
                Settings = settings,
            },
            this);
    }

    private ParameterMember? BindParameter(Type type, MemberInfo member, object? sample)
    {
        var where = $"{type.Name}.{member.Name}";
        var (clrType, settable, isStatic) = member switch
        {
            PropertyInfo p => (p.PropertyType, p.SetMethod is not null, (p.GetMethod ?? p.SetMethod)!.IsStatic),
            FieldInfo f => (f.FieldType, !f.IsInitOnly && !f.IsLiteral, f.IsStatic),
            _ => (typeof(void), false, false),
        };
        ParameterType? parameterType = clrType switch
        {
            _ when clrType == typeof(string) => ParameterType.String,
            _ when clrType == typeof(int) || clrType == typeof(long) => ParameterType.Int,
            _ when clrType == typeof(bool) => ParameterType.Bool,
            _ when clrType == typeof(byte[]) => ParameterType.Bytes,
            _ => null,
        };
        if (parameterType is null)
        {
            Problem($"[Parameter] {where} has type {clrType.Name}, which is not supported. Use string, int, long, bool or byte[].");
            return null;
        }

        if (isStatic || !settable)
        {
            Problem($"[Parameter] {where} is {(isStatic ? "static" : "not settable")}. Give it a set or init accessor (or make the field non-readonly), on the instance.");
            return null;
        }

        var name = member.GetCustomAttribute<ParameterAttribute>()!.Name ?? JsonName(member.Name);
        ParameterValue? defaultValue = null;
        if (!member.IsDefined(typeof(RequiredMemberAttribute)))
        {
            var value = member is PropertyInfo property ? property.GetValue(sample) : ((FieldInfo)member).GetValue(sample);
            defaultValue = value switch
            {
                string s => ParameterValue.FromString(s),
                int i => ParameterValue.FromInt(i),
                long l => ParameterValue.FromInt(l),
                bool b => ParameterValue.FromBool(b),
                byte[] bytes => ParameterValue.FromBytes(bytes),
                _ => null,
            };
            if (defaultValue is null)
            {
                var fromServices = type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes) is null
                    ? " A default cannot come from a constructor argument: discovery builds the instance without services."
                    : "";
                Problem($"[Parameter] {where} is not 'required' and has no default (it is null on a new instance). Mark it 'required', or give it an initializer.{fromServices}");
                return null;
            }
        }

        var spec = clrType == typeof(int) ? ParameterSpec.ForInt(name, defaultValue) : new ParameterSpec(name, parameterType.Value, defaultValue);
        return new ParameterMember(spec, member, clrType);
    }

    private List<MethodInfo>? Hooks<TAttribute>(IReadOnlyList<Type> hierarchy)
        where TAttribute : Attribute
    {
        var hooks = new List<MethodInfo>();
        var seen = new HashSet<MethodInfo>();
        var ok = true;
        var marker = typeof(TAttribute).Name[..^"Attribute".Length];
        foreach (var method in hierarchy.SelectMany(t => t.GetMethods(Declared).OrderBy(m => m.MetadataToken)))
        {
            // A [Function] that is also a hook is reported once, by VisitFunction.
            if (!method.IsDefined(typeof(TAttribute), inherit: true) || method.IsDefined(typeof(FunctionAttribute)))
            {
                continue;
            }

            var parameters = method.GetParameters();
            var returns = method.ReturnType;
            string? problem = null;
            if (method.IsStatic)
            {
                problem = "is static; hooks run on the container's instance. Make it an instance method";
            }
            else if (parameters.Length > 1 || (parameters.Length == 1 && parameters[0].ParameterType != typeof(CancellationToken)))
            {
                problem = "takes parameters. A hook takes nothing or one CancellationToken";
            }
            else if (returns != typeof(void) && returns != typeof(Task) && returns != typeof(ValueTask))
            {
                problem = $"returns {returns.Name}. A hook returns void, Task or ValueTask";
            }
            else if (method.ContainsGenericParameters)
            {
                problem = "is generic. Make it non-generic";
            }

            if (problem is not null)
            {
                Problem($"[{marker}] {Describe(method)} {problem}.");
                ok = false;
                continue;
            }

            // An override keeps the position of the method it overrides, and runs once (virtual dispatch).
            if (seen.Add(method.GetBaseDefinition()))
            {
                hooks.Add(method.GetBaseDefinition());
            }
        }

        return ok ? hooks : null;
    }

    private Callable? BuildCallable(string app, string? cls, string name, MethodInfo method, ContainerSettings settings)
    {
        var where = Describe(method);
        var normalized = Normalized(name, where);
        if (method.ContainsGenericParameters)
        {
            Problem($"{where} is generic. Callable methods must be non-generic.");
            return null;
        }

        if (method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
        {
            Problem($"{where} returns IAsyncEnumerable, which is not supported yet. Return a Task of a list instead.");
            return null;
        }

        var arguments = new List<ArgumentSpec>();
        var tokenIndex = -1;
        foreach (var parameter in method.GetParameters())
        {
            if (parameter.ParameterType == typeof(CancellationToken))
            {
                if (tokenIndex >= 0)
                {
                    Problem($"{where} takes two CancellationTokens. Take at most one.");
                    return null;
                }

                tokenIndex = parameter.Position;
                continue;
            }

            if (parameter.ParameterType.IsByRef || parameter.ParameterType.IsPointer || parameter.IsOut)
            {
                Problem($"{where} parameter '{parameter.Name}' is ref, out or a pointer. Arguments travel as JSON; pass them by value.");
                return null;
            }

            arguments.Add(new ArgumentSpec(parameter.Name ?? $"arg{parameter.Position}", parameter.ParameterType, parameter.Position, parameter.HasDefaultValue, parameter.HasDefaultValue ? parameter.DefaultValue : null));
        }

        var batched = method.GetCustomAttribute<BatchedAttribute>();
        if (batched is not null && (batched.MaxBatchSize is < 1 or > 1000 || batched.WaitMs is < 0 or > 600_000))
        {
            Problem($"[Batched] on {where} has MaxBatchSize={batched.MaxBatchSize}, WaitMs={batched.WaitMs}. Use 1 <= MaxBatchSize <= 1000 and 0 <= WaitMs <= 600000.");
        }

        var batch = batched is null ? null : ReadBatch(method, where, arguments);

        var web = WebEndpoint.Read(method, where, WebEndpoint.DefaultPath(app, cls, normalized), _problems);
        return new Callable
        {
            App = app,
            Class = cls,
            Name = normalized,
            Method = method,
            Arguments = arguments,
            CancellationTokenIndex = tokenIndex,

            // Web endpoints take no retries (Modal's rule); a class-wide policy skips them.
            Settings = web is null ? settings : settings with { Retries = RetryPolicy.None },
            WebEndpoint = web,
            Batched = batched,
            BatchSignature = batch,
            Schedules = method.GetCustomAttributes<ScheduleAttribute>().ToList(),
        };
    }

    // A batched method's arguments are lists; callers give one element each, so its arguments carry the element types.
    private BatchSignature? ReadBatch(MethodInfo method, string where, List<ArgumentSpec> arguments)
    {
        if (method.IsDefined(typeof(WebEndpointAttribute)))
        {
            Problem($"[Batched] {where} is also a [WebEndpoint]; batching web requests is not supported. Remove one of them, or call a batched function from the endpoint.");
        }

        var batch = BatchSignature.Read(method, where, _problems);
        for (var i = 0; batch is not null && i < arguments.Count; i++)
        {
            arguments[i] = arguments[i] with { Type = batch.ElementType(arguments[i].Position) };
        }

        return batch;
    }

    // [Batched] changes how a function or method runs; on anything else it would be silently ignored.
    private void CheckBatchedMarkers(IEnumerable<MethodInfo> methods)
    {
        var stray = methods.Where(m => m.IsDefined(typeof(BatchedAttribute), inherit: false) &&
            !m.IsDefined(typeof(FunctionAttribute)) && !m.IsDefined(typeof(MethodAttribute)) && !m.IsDefined(typeof(WebEndpointAttribute)));
        foreach (var method in stray)
        {
            Problem(method.IsStatic
                ? $"[Batched] {Describe(method)} is not a [Function], so nothing calls it. Add [Function] to it."
                : $"[Batched] {Describe(method)} is not a [Method], so nothing calls it. Add [Method] to it (in a [Cls] class).");
        }
    }

    // Routes are matched without regard to case, across every app served together.
    private void CheckRoutes()
    {
        var routes = _apps.Values.SelectMany(a => a.WebEndpoints)
            .GroupBy(c => $"{c.WebEndpoint!.HttpMethod} {c.WebEndpoint.Path}", StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1);
        foreach (var clash in routes)
        {
            Problem($"{string.Join(" and ", clash.Select(c => c.DisplayName))} are all web endpoints for {clash.Key}. Give each its own [WebEndpoint(Path = ...)].");
        }
    }

    // A web request names arguments and class parameters side by side in one query string.
    private void CheckWebArguments(Callable callable, IReadOnlyList<ParameterSpec> parameters)
    {
        var where = Describe(callable.Method);
        foreach (var argument in callable.Arguments)
        {
            if (parameters.FirstOrDefault(p => string.Equals(p.Name, argument.Name, StringComparison.OrdinalIgnoreCase)) is { } clash)
            {
                Problem($"[WebEndpoint] {where} has an argument '{argument.Name}' and its class a parameter '{clash.Name}': a query string could not tell them apart. Rename one, or set [Parameter(Name = ...)].");
            }
        }

        foreach (var twin in callable.Arguments.GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            Problem($"[WebEndpoint] {where} has arguments that differ only in case ('{string.Join("', '", twin.Select(a => a.Name))}'). Rename them.");
        }
    }

    private ContainerSettings ReadSettings(string where, ContainerOptionsAttribute attribute, RetriesAttribute? retries, ConcurrentAttribute? concurrent)
    {
        if (concurrent is not null && (concurrent.MaxInputs is < 1 or > MaxConcurrentInputs || concurrent.TargetInputs < 0 || concurrent.TargetInputs > concurrent.MaxInputs))
        {
            Problem($"[Concurrent] on {where} has MaxInputs={concurrent.MaxInputs}, TargetInputs={concurrent.TargetInputs}. Use 1 <= MaxInputs <= {MaxConcurrentInputs} and 0 <= TargetInputs <= MaxInputs (0 means MaxInputs).");
        }

        if (attribute.BufferContainers < 0)
        {
            Problem($"{where} has BufferContainers={attribute.BufferContainers}. Use 0 or more.");
        }

        var timeout = ReadSpan(where, "Timeout", attribute.Timeout, ContainerSettings.DefaultTimeout, MinTimeout, MaxTimeout);
        var scaledown = ReadSpan(where, "ScaledownWindow", attribute.ScaledownWindow, ContainerSettings.DefaultScaledownWindow, MinScaledown, MaxScaledown);
        if (attribute.MinContainers < 0 || attribute.MaxContainers < 0 || (attribute.MaxContainers > 0 && attribute.MinContainers > attribute.MaxContainers))
        {
            Problem($"{where} has MinContainers={attribute.MinContainers}, MaxContainers={attribute.MaxContainers}. Both must be >= 0 and MinContainers <= MaxContainers (0 means no maximum).");
        }

        if (attribute.Retries is < 0 or > 10)
        {
            Problem($"{where} has Retries={attribute.Retries}. Use 0 to 10.");
        }

        if (retries is not null && attribute.Retries != 0)
        {
            Problem($"{where} sets both Retries= and [Retries]. Keep one of them.");
        }

        return new ContainerSettings
        {
            Timeout = timeout,
            ScaledownWindow = scaledown,
            Gpu = string.IsNullOrWhiteSpace(attribute.Gpu) ? null : attribute.Gpu.Trim(),
            MinContainers = attribute.MinContainers,
            MaxContainers = attribute.MaxContainers,
            BufferContainers = Math.Max(0, attribute.BufferContainers),
            MaxInputs = concurrent is null ? null : Math.Clamp(concurrent.MaxInputs, 1, MaxConcurrentInputs),
            TargetInputs = concurrent is null ? null : Math.Clamp(concurrent.TargetInputs is 0 ? concurrent.MaxInputs : concurrent.TargetInputs, 1, Math.Clamp(concurrent.MaxInputs, 1, MaxConcurrentInputs)),
            Retries = retries is not null ? ReadRetries(where, retries) : RetryPolicy.Fixed(Math.Clamp(attribute.Retries, 0, 10)),
        };
    }

    private RetryPolicy ReadRetries(string where, RetriesAttribute retries)
    {
        if (retries.MaxRetries is < 0 or > 10 || retries.BackoffCoefficient is < 1 or > 10 ||
            retries.InitialDelaySeconds is < 0 or > 60 || retries.MaxDelaySeconds is < 1 or > 60)
        {
            Problem($"[Retries] on {where} is out of range. Use MaxRetries 0 to 10, BackoffCoefficient 1 to 10, InitialDelaySeconds 0 to 60, MaxDelaySeconds 1 to 60.");
        }

        return new RetryPolicy(retries.MaxRetries, retries.BackoffCoefficient, TimeSpan.FromSeconds(retries.InitialDelaySeconds), TimeSpan.FromSeconds(retries.MaxDelaySeconds));
    }

    private TimeSpan ReadSpan(string where, string key, string? text, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Problem($"{where} has {key}=\"{text}\". Use a TimeSpan like \"00:05:00\" between {min:c} and {max:c}.");
            return fallback;
        }

        return value;
    }

    private AppBuilder? AppFor(Type type, MethodInfo? method)
    {
        var attribute = type.GetCustomAttribute<AppAttribute>(inherit: false) ?? type.Assembly.GetCustomAttribute<AppAttribute>();
        if (attribute is null)
        {
            Problem($"{(method is null ? type.Name : Describe(method))} belongs to no app. Add [assembly: App(\"name\")] or [App(\"name\")] on {type.Name}.");
            return null;
        }

        var name = Normalized(attribute.Name, $"[App(\"{attribute.Name}\")] on {type.Name}");
        if (name == "amq")
        {
            Problem($"[App(\"{attribute.Name}\")] on {type.Name}: RabbitMQ reserves names starting with 'amq.'. Choose another app name.");
        }

        if (!_apps.TryGetValue(name, out var app))
        {
            app = new AppBuilder(name);
            _apps.Add(name, app);
        }

        return app;
    }

    private string Normalized(string name, string where)
    {
        var normalized = Names.Normalize(name);
        if (normalized.Length == 0)
        {
            Problem($"{where} has the name '{name}', which has no letters or digits. Give it a name such as \"my-function\".");
            return "invalid";
        }

        return normalized;
    }

    private static IEnumerable<MemberInfo> ParameterMembers(Type type, bool declaredOnly)
    {
        var types = declaredOnly ? [type] : Hierarchy(type);
        return types.SelectMany(t => t.GetMembers(Declared))
            .Where(m => m is PropertyInfo or FieldInfo && m.IsDefined(typeof(ParameterAttribute)))
            .OrderBy(m => m.MetadataToken);
    }

    private static List<Type> Hierarchy(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            chain.Insert(0, t);
        }

        return chain;
    }

    // Defaults are read from an instance. A constructor that takes services runs here without them (every argument
    // null or default) on an uninitialized object: initializers run before its body, so the defaults they set are read
    // even when the body then throws for a missing service. Defaults must not be computed from services.
    private object? Construct(Type type, ConstructorInfo constructor)
    {
        var arguments = constructor.GetParameters();
        if (arguments.Length > 0)
        {
            var sample = RuntimeHelpers.GetUninitializedObject(type);
            try
            {
                constructor.Invoke(sample, [.. arguments.Select(a => a.ParameterType.IsValueType ? Activator.CreateInstance(a.ParameterType) : null)]);
            }
            catch (TargetInvocationException)
            {
                // The body wanted its services; the initializers already ran.
            }

            return sample;
        }

        try
        {
            return constructor.Invoke(null);
        }
        catch (TargetInvocationException e)
        {
            Problem($"[Cls] class {type.Name}'s constructor threw {e.InnerException?.GetType().Name}: {e.InnerException?.Message}. Keep the constructor cheap and move work to [Enter].");
            return null;
        }
    }

    private static string JsonName(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    private static string Describe(MethodInfo method) => $"{method.DeclaringType?.Name}.{method.Name}";

    private static string Marker(MethodInfo method) =>
        method.IsDefined(typeof(MethodAttribute)) ? "Method" : method.IsDefined(typeof(EnterAttribute)) ? "Enter" : "Exit";

    private void Problem(string message) => _problems.Add(message);

    private sealed class AppBuilder(string name)
    {
        private readonly Dictionary<string, Callable> _functions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ClassDefinition> _classes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _owners = new(StringComparer.Ordinal);

        public string Name { get; } = name;

        public void AddFunction(Callable function, AppDiscovery discovery)
        {
            if (Claim(function.Name, function.Method.DeclaringType?.Name + "." + function.Method.Name, discovery))
            {
                _functions.Add(function.Name, function);
            }
        }

        public void AddClass(ClassDefinition cls, AppDiscovery discovery)
        {
            if (Claim(cls.Name, cls.Type.Name, discovery))
            {
                _classes.Add(cls.Name, cls);
            }
        }

        public IEnumerable<Callable> WebEndpoints => _functions.Values.Concat(_classes.Values.SelectMany(c => c.Methods.Values))
            .Where(c => c.WebEndpoint is not null);

        public AppDefinition Build() => new() { Name = Name, Functions = _functions, Classes = _classes };

        // Functions and classes share one namespace per app: both name queues (app.name).
        private bool Claim(string name, string owner, AppDiscovery discovery)
        {
            if (_owners.TryGetValue(name, out var existing))
            {
                discovery.Problem($"App '{Name}' has two functions or classes named '{name}': {existing} and {owner}. Rename one, or set Name = \"...\" on its attribute.");
                return false;
            }

            _owners.Add(name, owner);
            return true;
        }
    }
}
