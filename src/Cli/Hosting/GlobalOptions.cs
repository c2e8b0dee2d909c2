using System.CommandLine;

namespace Pipeline.Cli.Hosting;

/// <summary>The options every verb takes: where the servers are, which apps, and how to print.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> RabbitMq { get; } = new("--rabbitmq")
    {
        Description = "The broker, amqp://user:password@host:port/vhost. Default: Pipeline:RabbitMq:ConnectionString, env PIPELINE_RABBITMQ, else amqp://guest:guest@127.0.0.1:5672/.",
        Recursive = true,
        HelpName = "uri",
    };

    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = "The PostgreSQL of results and schedules (Npgsql connection string). Default: Pipeline:Results:ConnectionString, env PIPELINE_POSTGRES, else the local one infra/up.sh starts.",
        Recursive = true,
        HelpName = "connection-string",
    };

    public Option<string[]> AppAssemblies { get; } = new("--app-assembly", "-a")
    {
        Description = "A built app assembly (.dll) whose functions and parameters to use; repeat for several. Default: Pipeline:Cli:Apps:0..n (env Pipeline__Cli__Apps__0).",
        Recursive = true,
        HelpName = "path",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print JSON for scripts instead of text and tables.",
        Recursive = true,
    };

    public Option<bool> Verbose { get; } = new("--verbose")
    {
        Description = "On an unexpected error, print the stack trace too.",
        Recursive = true,
    };

    public IEnumerable<Option> All => [RabbitMq, Postgres, AppAssemblies, Json, Verbose];

    /// <summary>The settings these options and the configuration give.</summary>
    public CliSettings Settings(ParseResult result) =>
        CliSettings.Read(result.GetValue(RabbitMq), result.GetValue(Postgres), result.GetValue(AppAssemblies) ?? []);
}
