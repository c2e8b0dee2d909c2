using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Messages.Parameters;

/// <summary>The types a class parameter may have (Modal's <c>str</c>, <c>int</c>, <c>bool</c>, <c>bytes</c>).</summary>
[SuppressMessage("Naming", "CA1720", Justification = "The members name the wire types on purpose.")]
public enum ParameterType
{
    /// <summary>A UTF-8 string; tag <c>s</c> in the canonical encoding.</summary>
    String,

    /// <summary>A 64-bit signed integer (C# <c>int</c> or <c>long</c>); tag <c>i</c>.</summary>
    Int,

    /// <summary>A boolean; tag <c>b</c>.</summary>
    Bool,

    /// <summary>Raw bytes (C# <c>byte[]</c>), base64 in JSON; tag <c>y</c>.</summary>
    Bytes,
}
