namespace Pipeline.Bench.App;

/// <summary>The class <c>bench.pool-model</c>: many parameter sets, one input each.</summary>
[Contract]
public interface IPoolModel : IParameterized<ModelKey>
{
    /// <summary>Answers 0.</summary>
    int Ping();
}
