namespace Pipeline.Bench.App;

/// <summary>The class <c>bench.cold-model</c>: every new key is a new pool.</summary>
[Contract]
public interface IColdModel : IParameterized<ModelKey>
{
    /// <summary>Answers 0.</summary>
    int Ping();
}
