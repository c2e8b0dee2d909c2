using System.Reflection;
using Pipeline.Contracts;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Discovery;

/// <summary>
/// The parameters record of a <c>[Cls]</c> class's contract (<see cref="IParameterized{TParameters}"/>): built for each
/// container from the values that were hashed (defaults applied), and handed to the class's constructor when it takes it.
/// </summary>
internal sealed class ParametersRecord
{
    private readonly ConstructorInfo _constructor;
    private readonly IReadOnlyList<ContractParameter> _parameters;

    private ParametersRecord(Type type, ConstructorInfo constructor, IReadOnlyList<ContractParameter> parameters, bool injected)
    {
        Type = type;
        _constructor = constructor;
        _parameters = parameters;
        Injected = injected;
    }

    /// <summary>The record type.</summary>
    public Type Type { get; }

    /// <summary>The parameters the record declares, in its order: the class's schema when it has no [Parameter] members.</summary>
    public IEnumerable<ParameterSpec> Specs => _parameters.Select(p => p.Spec);

    /// <summary>Whether a public constructor of the class takes the record (so the container passes it).</summary>
    public bool Injected { get; }

    /// <summary>
    /// The record of the first parameterized contract <paramref name="type"/> implements, or null when it implements
    /// none (or the contract is not valid: the contract check reports that).
    /// </summary>
    public static ParametersRecord? Of(Type type)
    {
        var contract = type.GetInterfaces()
            .Where(i => i.IsDefined(typeof(ContractAttribute), inherit: false))
            .Select(ContractDescription.Of)
            .FirstOrDefault(c => c.ParametersType is not null);
        if (contract is null || contract.Problems.Count > 0)
        {
            return null;
        }

        var record = contract.ParametersType!;
        var names = contract.Parameters.Select(p => p.Property.Name).ToList();
        var constructor = record.GetConstructors().FirstOrDefault(c => c.GetParameters().Select(p => p.Name).SequenceEqual(names));
        var injected = type.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == record));
        return constructor is null ? null : new ParametersRecord(record, constructor, contract.Parameters, injected);
    }

    /// <summary>Builds the record from a container's parameter values (exactly the ones that were hashed).</summary>
    /// <exception cref="InvalidOperationException">A parameter the record declares is missing (the set was bound by another schema).</exception>
    public object Build(ParameterSet values) => _constructor.Invoke([.. _parameters.Select(p => values.TryGetValue(p.Spec.Name, out var value)
        ? ParameterMember.ToClr(p.Spec.Type, p.Property.PropertyType, value)
        : throw new InvalidOperationException($"The container's parameters ({values}) lack '{p.Spec.Name}', which {Type.Name} declares."))]);
}
