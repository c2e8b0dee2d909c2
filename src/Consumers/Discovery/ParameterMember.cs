using System.Reflection;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Discovery;

/// <summary>A class parameter and the property or field it is written to before <c>enter</c>.</summary>
internal sealed record ParameterMember(ParameterSpec Spec, MemberInfo Member, Type ClrType)
{
    /// <summary>A parameter value as the CLR type a member or record property of type <paramref name="clrType"/> holds.</summary>
    public static object ToClr(ParameterType type, Type clrType, ParameterValue value) => type switch
    {
        ParameterType.String => value.AsString(),
        ParameterType.Bool => value.AsBool(),
        ParameterType.Bytes => value.AsBytes().ToArray(),
        _ when clrType == typeof(int) => checked((int)value.AsInt()),
        _ => value.AsInt(),
    };

    public void Assign(object instance, ParameterValue value)
    {
        var clr = ToClr(Spec.Type, ClrType, value);
        if (Member is PropertyInfo property)
        {
            property.SetValue(instance, clr);
        }
        else
        {
            ((FieldInfo)Member).SetValue(instance, clr);
        }
    }
}
