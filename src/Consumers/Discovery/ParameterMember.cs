using System.Reflection;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Discovery;

/// <summary>A class parameter and the property or field it is written to before <c>enter</c>.</summary>
internal sealed record ParameterMember(ParameterSpec Spec, MemberInfo Member, Type ClrType)
{
    public void Assign(object instance, ParameterValue value)
    {
        object? clr = Spec.Type switch
        {
            ParameterType.String => value.AsString(),
            ParameterType.Bool => value.AsBool(),
            ParameterType.Bytes => value.AsBytes().ToArray(),
            _ when ClrType == typeof(int) => checked((int)value.AsInt()),
            _ => value.AsInt(),
        };
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
