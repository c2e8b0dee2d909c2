namespace Pipeline.IntegrationTests.Contracts;

/// <summary>A parameterized class (<c>itest.typed-model</c>) as its callers see it.</summary>
[Contract]
public interface ITypedModel : IParameterized<TypedModelParameters>
{
    /// <summary>Says what the container knows while it runs this input.</summary>
    /// <param name="prompt">Echoed back.</param>
    /// <param name="ct">The call's token.</param>
    Task<TypedReply> DescribeAsync(string prompt, CancellationToken ct);
}
