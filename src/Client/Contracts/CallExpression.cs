using System.Linq.Expressions;
using System.Reflection;
using Pipeline.Contracts;

namespace Pipeline.Client.Contracts;

/// <summary>
/// A typed call read from its lambda (<c>m =&gt; m.GenerateAsync("hi", ct)</c>): which contract method, and how to get
/// each argument. The compiler has checked the method, the argument types and the result type; this only takes the
/// tree apart. Constants and captured variables are read directly; anything else is compiled once per call.
/// </summary>
internal sealed class CallExpression
{
    private readonly Func<object?[], object?>[] _arguments;
    private readonly Func<object?[], object?>? _token;

    private CallExpression(ContractMethod method, Func<object?[], object?>[] arguments, Func<object?[], object?>? token)
    {
        Method = method;
        _arguments = arguments;
        _token = token;
    }

    public ContractMethod Method { get; }

    /// <summary>Reads <paramref name="lambda"/>: its body must call a method of the contract on the lambda's first parameter.</summary>
    /// <exception cref="ArgumentException">The lambda does something else; the message shows the expected form.</exception>
    public static CallExpression Parse(ContractDescription contract, LambdaExpression lambda)
    {
        ArgumentNullException.ThrowIfNull(lambda);
        var target = lambda.Parameters[0];
        var body = lambda.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : lambda.Body;
        if (body is not MethodCallExpression call || call.Object != target || !contract.Methods.TryGetValue(call.Method, out var method))
        {
            throw new ArgumentException(
                $"A typed call must call one method of {contract.Type.Name} on the lambda's parameter, for example {target.Name} => {target.Name}.MethodAsync(arg, ct); got {lambda.Body}.",
                nameof(lambda));
        }

        var inputs = lambda.Parameters.Skip(1).ToList();
        var arguments = new List<Func<object?[], object?>>();
        Func<object?[], object?>? token = null;
        foreach (var (argument, index) in call.Arguments.Select((a, i) => (a, i)))
        {
            if (Uses(argument, target))
            {
                throw new ArgumentException($"Argument {index + 1} of {method.Method.Name} uses '{target.Name}' itself; a remote call's arguments cannot refer to the remote object.", nameof(lambda));
            }

            var read = Reader(argument, inputs);
            if (index == method.TokenIndex)
            {
                if (inputs.Any(input => Uses(argument, input)))
                {
                    throw new ArgumentException($"The CancellationToken of {method.Method.Name} is the whole call's token; it cannot depend on each input.", nameof(lambda));
                }

                token = read;
            }
            else if (call.Method.GetParameters()[index].ParameterType != typeof(CancellationToken))
            {
                arguments.Add(read);
            }
        }

        return new CallExpression(method, [.. arguments], token);
    }

    /// <summary>The wire arguments for one input (<paramref name="inputs"/> are the lambda's values after the contract).</summary>
    public IReadOnlyList<object?> Arguments(params object?[] inputs)
    {
        var values = new object?[_arguments.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = _arguments[i](inputs);
        }

        return values;
    }

    /// <summary>The contract method's <see cref="CancellationToken"/> argument: the call's token.</summary>
    public CancellationToken Token => _token?.Invoke([]) is CancellationToken token ? token : CancellationToken.None;

    private static Func<object?[], object?> Reader(Expression argument, List<ParameterExpression> inputs)
    {
        var expression = argument is UnaryExpression { NodeType: ExpressionType.Convert } boxed && boxed.Type == typeof(object) ? boxed.Operand : argument;
        switch (expression)
        {
            case ConstantExpression constant:
                var value = constant.Value;
                return _ => value;
            case MemberExpression { Member: FieldInfo field, Expression: null }:
                return _ => field.GetValue(null);
            case MemberExpression { Member: FieldInfo field, Expression: ConstantExpression closure }:
                // A captured local: the compiler's closure object is the constant, the local one of its fields.
                var holder = closure.Value;
                return _ => field.GetValue(holder);
            case ParameterExpression parameter when inputs.IndexOf(parameter) is var position and >= 0:
                return values => values[position];
            default:
                return Compile(argument, inputs);
        }
    }

    // Anything else (x * 2, item.Prompt, a method call) is compiled: slower once, exact always.
    private static Func<object?[], object?> Compile(Expression argument, List<ParameterExpression> inputs)
    {
        var values = Expression.Parameter(typeof(object?[]), "inputs");
        var body = new InputRewriter(inputs, values).Visit(argument);
        return Expression.Lambda<Func<object?[], object?>>(Expression.Convert(body, typeof(object)), values).Compile();
    }

    private static bool Uses(Expression expression, ParameterExpression parameter)
    {
        var finder = new ParameterFinder(parameter);
        finder.Visit(expression);
        return finder.Found;
    }

    private sealed class InputRewriter(List<ParameterExpression> inputs, ParameterExpression values) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => inputs.IndexOf(node) is var i and >= 0
            ? Expression.Convert(Expression.ArrayIndex(values, Expression.Constant(i)), node.Type)
            : node;
    }

    private sealed class ParameterFinder(ParameterExpression parameter) : ExpressionVisitor
    {
        public bool Found { get; private set; }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            Found |= node == parameter;
            return node;
        }
    }
}
