namespace Pipeline.Client.Tests.Contracts;

/// <summary>The class contract of <c>TestApps.Inference</c>'s model.</summary>
[Contract(App = "inference")]
public interface IModel : IParameterized<ModelParameters>
{
    /// <summary>Generates.</summary>
    Task<string> GenerateAsync(string prompt, CancellationToken ct);
}
