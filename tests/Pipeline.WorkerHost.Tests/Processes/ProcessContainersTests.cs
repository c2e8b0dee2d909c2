using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Parameters;
using Pipeline.WorkerHost.Pools;
using Pipeline.WorkerHost.Processes;
using Pipeline.WorkerHost.Slots;
using Pipeline.WorkerHost.Tests.Pools;

namespace Pipeline.WorkerHost.Tests.Processes;

public sealed class ProcessContainersTests
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(PoolFunctions)]);

    [Theory]
    [InlineData(ContainerIsolation.Auto, "H100", true)]
    [InlineData(ContainerIsolation.Auto, null, false)]
    [InlineData(ContainerIsolation.Process, null, true)]
    [InlineData(ContainerIsolation.InProcess, "H100", false)]
    public void Runs_FunctionIsolation_ProcessForGpuPoolsUnlessTheFunctionSaysOtherwise(ContainerIsolation isolation, string? gpu, bool expected)
    {
        var processes = Create(ContainerIsolation.Auto);

        Assert.Equal(expected, processes.Runs(Plan("on-gpu", isolation, gpu)));
    }

    [Theory]
    [InlineData(ContainerIsolation.InProcess, ContainerIsolation.Process, "H100", false)]
    [InlineData(ContainerIsolation.Process, ContainerIsolation.InProcess, null, true)]
    public void Runs_HostOverride_WinsOverTheFunction(ContainerIsolation host, ContainerIsolation function, string? gpu, bool expected)
    {
        Assert.Equal(expected, Create(host).Runs(Plan("on-gpu", function, gpu)));
    }

    [Fact]
    public void Runs_TargetTheAppDoesNotHave_InProcessSoItsInputsAreRejectedHere()
    {
        Assert.False(Create(ContainerIsolation.Process).Runs(Plan("nope", ContainerIsolation.Process, "H100")));
    }

    private static ProcessContainers Create(ContainerIsolation host) => new(
        Registry,
        new SlotInventory(1, []),
        TimeProvider.System,
        Options.Create(new WorkerOptions { Isolation = host }),
        NullLoggerFactory.Instance);

    private static PoolPlan Plan(string function, ContainerIsolation isolation, string? gpu) => new(
        $"pools.{function}",
        new PoolDemanded { Queue = $"pools.{function}", App = "pools", Function = function },
        null,
        ParameterSet.Empty,
        new ContainerSettings { Isolation = isolation, Gpu = gpu },
        GpuRequirement.Parse(gpu),
        1,
        1);
}
