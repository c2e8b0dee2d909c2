namespace Pipeline.WorkerHost.Tests;

/// <summary>Bad worker settings are refused at start with the key and the allowed range.</summary>
public sealed class WorkerOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid()
    {
        Assert.Empty(new WorkerOptions().Validate());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65_536)]
    public void Validate_FunctionPrefetchOutOfRange_NamesTheKeyAndTheRange(int prefetch)
    {
        var problem = Assert.Single(new WorkerOptions { FunctionPrefetch = prefetch }.Validate());

        Assert.Equal($"Pipeline:Worker:FunctionPrefetch must be between 1 and 65535 (got {prefetch}).", problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11 * 60 * 1000)]
    public void Validate_StuckAttemptGraceOutOfRange_NamesTheKeyAndTheRange(int milliseconds)
    {
        var problem = Assert.Single(new WorkerOptions { StuckAttemptGrace = TimeSpan.FromMilliseconds(milliseconds) }.Validate());

        Assert.StartsWith("Pipeline:Worker:StuckAttemptGrace must be between 100 ms and 10 min", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_IsolationNotAValue_NamesTheKeyAndTheChoices()
    {
        var problem = Assert.Single(new WorkerOptions { Isolation = (ContainerIsolation)7 }.Validate());

        Assert.Equal("Pipeline:Worker:Isolation must be Auto, Process or InProcess (got 7).", problem);
    }
}
