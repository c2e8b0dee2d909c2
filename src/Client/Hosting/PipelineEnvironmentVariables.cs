using Microsoft.Extensions.Configuration;
using Pipeline.RabbitMq;
using Pipeline.Results;

namespace Pipeline.Client.Hosting;

/// <summary>
/// The environment variables Pipeline's processes honour, and the configuration key each one fills: the one place
/// they are read (<see cref="PipelineConfigurationExtensions.AddPipelineEnvironment(IConfigurationBuilder)"/>). A key set anywhere else
/// (<c>appsettings.json</c>, <c>Pipeline__RabbitMq__ConnectionString</c>, the command line, code) wins over the variable.
/// </summary>
public static class PipelineEnvironmentVariables
{
    /// <summary>The broker's AMQP URI; fills <c>Pipeline:RabbitMq:ConnectionString</c>.</summary>
    public const string RabbitMq = RabbitMqOptions.EnvironmentVariable;

    /// <summary>The PostgreSQL connection string; fills <c>Pipeline:Results:ConnectionString</c> and <c>Pipeline:Scheduler:ConnectionString</c>.</summary>
    public const string Postgres = PostgresResultStoreOptions.EnvironmentVariable;

    /// <summary>The gateway's bearer token; fills <c>Pipeline:Gateway:Token</c>.</summary>
    public const string GatewayToken = "PIPELINE_GATEWAY_TOKEN";

    /// <summary>Each variable and the keys it fills.</summary>
    internal static readonly IReadOnlyList<(string Variable, string Key)> Mappings =
    [
        (RabbitMq, RabbitMqOptions.SectionName + ":ConnectionString"),
        (Postgres, PostgresResultStoreOptions.SectionName + ":ConnectionString"),
        (Postgres, "Pipeline:Scheduler:ConnectionString"),
        (GatewayToken, "Pipeline:Gateway:Token"),
    ];
}
