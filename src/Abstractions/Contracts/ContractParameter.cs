using System.Reflection;
using Pipeline.Messages.Parameters;

namespace Pipeline.Contracts;

/// <summary>One property of a contract's parameter record and the class parameter it is.</summary>
/// <param name="Property">The record's property.</param>
/// <param name="Spec">The parameter: wire name, type and default.</param>
internal sealed record ContractParameter(PropertyInfo Property, ParameterSpec Spec);
