using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Client.Hosting;
using Pipeline.RabbitMq;
using Pipeline.Results;

namespace Pipeline.Client.Tests.Hosting;

/// <summary>
/// PIPELINE_* variables reach the options through one configuration source, under every other: an explicit key wins.
/// The variables are read through a fake here, so tests never change the process's environment.
/// </summary>
public sealed class PipelineEnvironmentTests
{
    private const string FromVariable = "amqp://guest:guest@rabbit-from-variable:5672/";

    private static readonly Dictionary<string, string?> Variables = new(StringComparer.Ordinal)
    {
        [PipelineEnvironmentVariables.RabbitMq] = FromVariable,
        [PipelineEnvironmentVariables.Postgres] = " Host=pg-from-variable;Database=pipeline ",
        [PipelineEnvironmentVariables.GatewayToken] = "token-from-variable-0123456789",
    };

    [Fact]
    public void AddPipeline_VariablesSet_ReachTheOptions()
    {
        var configuration = new ConfigurationBuilder().AddPipelineEnvironment(Read).Build();
        var services = new ServiceCollection();
        services.AddPipeline(configuration).AddClient([TestApps.Inference]);
        using var provider = services.BuildServiceProvider();

        Assert.Equal(FromVariable, provider.GetRequiredService<IOptions<RabbitMqOptions>>().Value.ConnectionString);
        Assert.Equal("Host=pg-from-variable;Database=pipeline", provider.GetRequiredService<IOptions<PostgresResultStoreOptions>>().Value.ConnectionString);
        Assert.Equal("Host=pg-from-variable;Database=pipeline", configuration["Pipeline:Scheduler:ConnectionString"]);
        Assert.Equal("token-from-variable-0123456789", configuration["Pipeline:Gateway:Token"]);
    }

    [Fact]
    public void AddPipelineEnvironment_KeySetInAnotherSource_TheKeyWinsWhicheverWasAddedFirst()
    {
        var explicitKey = new Dictionary<string, string?> { ["Pipeline:RabbitMq:ConnectionString"] = "amqp://guest:guest@explicit:5672/" };
        var added = new ConfigurationBuilder().AddInMemoryCollection(explicitKey).AddPipelineEnvironment(Read).Build();
        var addedFirst = new ConfigurationBuilder().AddPipelineEnvironment(Read).AddInMemoryCollection(explicitKey).Build();

        Assert.Equal("amqp://guest:guest@explicit:5672/", added.GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>()!.ConnectionString);
        Assert.Equal("amqp://guest:guest@explicit:5672/", addedFirst.GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>()!.ConnectionString);
        Assert.Equal("Host=pg-from-variable;Database=pipeline", added["Pipeline:Results:ConnectionString"]);
    }

    [Fact]
    public void AddPipelineEnvironment_VariableEmpty_FillsNothing()
    {
        var configuration = new ConfigurationBuilder().AddPipelineEnvironment(_ => "  ").Build();

        Assert.Null(configuration["Pipeline:RabbitMq:ConnectionString"]);
        Assert.Null(configuration["Pipeline:Results:ConnectionString"]);
    }

    [Fact]
    public void AddPipeline_HostConfiguration_GetsTheSourceOnceUnderEveryOther()
    {
        var manager = new ConfigurationManager();
        manager.AddInMemoryCollection(new Dictionary<string, string?> { ["Pipeline:RabbitMq:ConnectionString"] = "amqp://guest:guest@explicit:5672/" });
        var services = new ServiceCollection();

        services.AddPipeline(manager).AddClient([TestApps.Inference]);
        services.AddPipeline(manager);
        manager.AddPipelineEnvironment();

        Assert.IsType<PipelineEnvironmentSource>(manager.Sources[0]);
        Assert.Single(manager.Sources, s => s is PipelineEnvironmentSource);
        using var provider = services.BuildServiceProvider();
        Assert.Equal("amqp://guest:guest@explicit:5672/", provider.GetRequiredService<IOptions<RabbitMqOptions>>().Value.ConnectionString);
    }

    [Fact]
    public void EnvironmentUnderAPlainConfiguration_AKeySetEmptyThereStillWins()
    {
        // What AddPipeline does with a configuration that cannot take a source: the variables under it, its keys first.
        var inner = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Pipeline:Results:ConnectionString"] = "" }).Build();
        var wrapped = new ConfigurationBuilder();
        wrapped.Sources.Add(new PipelineEnvironmentSource(Read, over: inner));
        var configuration = wrapped.AddConfiguration(inner).Build();

        Assert.True(string.IsNullOrEmpty(configuration["Pipeline:Results:ConnectionString"]));
        Assert.Equal(FromVariable, configuration["Pipeline:RabbitMq:ConnectionString"]);
    }

    private static string? Read(string variable) => Variables.GetValueOrDefault(variable);
}
