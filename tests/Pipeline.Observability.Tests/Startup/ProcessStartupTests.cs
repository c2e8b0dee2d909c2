using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Observability.Startup;
using Pipeline.Observability.Tests.Infrastructure;

namespace Pipeline.Observability.Tests.Startup;

public sealed class ProcessStartupTests
{
    [Fact]
    public async Task RunAsync_OptionsInvalidAtStart_PrintsEachFailureOnceAndReturns2WithoutStackTrace()
    {
        var logs = new ListLoggerProvider();
        var error = new StringWriter();

        var code = await ProcessStartup.RunAsync("sample", prepare =>
        {
            var builder = Builder(logs);
            prepare(builder);
            builder.Services.AddOptions<SampleOptions>()
                .Validate(o => o.Size > 0, "Pipeline:Sample:Size must be at least 1 (got 0).")
                .Validate(o => o.Name.Length > 0, "Pipeline:Sample:Name is empty. Set it to the sample's name.")
                .ValidateOnStart();
            return builder.Build();
        }, error);

        Assert.Equal(ProcessStartup.StartupFailedExitCode, code);
        var text = error.ToString();
        Assert.StartsWith("error: the sample did not start.", text, StringComparison.Ordinal);
        Assert.Contains("  Pipeline:Sample:Size must be at least 1 (got 0).", text, StringComparison.Ordinal);
        Assert.Contains("  Pipeline:Sample:Name is empty. Set it to the sample's name.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);

        // The host's own "Hosting failed to start" entry carries the stack trace: the block replaces it.
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task RunAsync_RegistrationThrows_PrintsTheMessageWithoutItsPrefixAndReturns2()
    {
        var error = new StringWriter();

        var code = await ProcessStartup.RunAsync("worker host", _ =>
            throw new InvalidOperationException("Invalid settings: Pipeline:Worker:FunctionConcurrency must be at least 1 (got 0)."), error);

        Assert.Equal(2, code);
        Assert.Contains("  Pipeline:Worker:FunctionConcurrency must be at least 1 (got 0).", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Invalid settings:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HealthPortTaken_Returns2NamingTheKey()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var logs = new ListLoggerProvider();
        var error = new StringWriter();

        var code = await ProcessStartup.RunAsync("scheduler", prepare =>
        {
            var builder = Builder(logs);
            prepare(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Pipeline:Health:Port"] = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            builder.Services.AddPipelineHealth(builder.Configuration);
            return builder.Build();
        }, error);

        Assert.Equal(2, code);
        Assert.Contains("Pipeline:Health:Port", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task RunAsync_StartedThenStopped_Returns0()
    {
        var host = Builder(new ListLoggerProvider()).Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(lifetime.StopApplication);

        var code = await ProcessStartup.RunAsync("sample", _ => host, new StringWriter());

        Assert.Equal(ProcessStartup.StoppedExitCode, code);
    }

    [Fact]
    public void Describe_UnexpectedKind_NamesItsTypeSoABugCanBeReported()
    {
        var text = ProcessStartup.Describe("gateway", new KeyNotFoundException("The given key was not present in the dictionary."));

        Assert.Contains("  KeyNotFoundException: The given key was not present", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_WrappedCause_AddsWhatTheOuterMessageDoesNotSay()
    {
        var text = ProcessStartup.Describe("worker host", new InvalidOperationException("Pipeline:Worker:Apps names 'x.dll', which cannot be loaded.", new BadImageFormatException("Bad IL format.")));

        Assert.Contains("  Pipeline:Worker:Apps names 'x.dll', which cannot be loaded.", text, StringComparison.Ordinal);
        Assert.Contains("  Bad IL format.", text, StringComparison.Ordinal);
    }

    private static HostApplicationBuilder Builder(ListLoggerProvider logs)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(logs);
        return builder;
    }

    private sealed class SampleOptions
    {
        public int Size { get; set; }

        public string Name { get; set; } = "";
    }
}
