using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Messages.Invocations;

namespace Pipeline.Results.Tests;

public sealed class PostgresResultStoreOptionsTests : PostgresTestBase
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new PostgresResultStoreOptions();

        Assert.Equal("Pipeline:Results", PostgresResultStoreOptions.SectionName);
        Assert.Null(options.ConnectionString);
        Assert.Equal("pipeline", options.Schema);
        Assert.Equal(TimeSpan.FromDays(7), options.Retention);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.PollInterval);
        Assert.Equal(TimeSpan.FromHours(1), options.PurgeInterval);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void ResolveConnectionString_SettingThenEnvironmentThenDefault()
    {
        Assert.Equal("Host=a", PostgresResultStoreOptions.ResolveConnectionString(" Host=a ", "Host=b"));
        Assert.Equal("Host=b", PostgresResultStoreOptions.ResolveConnectionString(null, "Host=b"));
        Assert.Equal(
            "Host=127.0.0.1;Port=5432;Username=pipeline;Password=pipeline;Database=pipeline",
            PostgresResultStoreOptions.ResolveConnectionString("", " "));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad-name")]
    [InlineData("x; drop table calls; --")]
    [InlineData("x\"; drop schema public cascade; --")]
    [InlineData("1starts_with_digit")]
    [InlineData("with space")]
    [InlineData("naïve")]
    [InlineData("pg_mine")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public void Constructor_InvalidSchemaName_IsRejectedClearly(string schema)
    {
        var options = Schema.Options(o => o.Schema = schema);

        var error = Assert.Throws<ArgumentException>(() => new PostgresResultStore(options, TimeProvider.System));

        Assert.Contains("Pipeline:Results:Schema", error.Message, StringComparison.Ordinal);
        Assert.Equal("options", error.ParamName);
    }

    [Theory]
    [InlineData("pipeline")]
    [InlineData("_x")]
    [InlineData("Mixed_Case_1")]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012")]
    public void Validate_ValidSchemaName_HasNoErrors(string schema) =>
        Assert.Empty(new PostgresResultStoreOptions { ConnectionString = "Host=x", Schema = schema }.Validate());

    [Fact]
    public void Validate_NonPositiveIntervals_NamesEachKey()
    {
        var errors = new PostgresResultStoreOptions
        {
            ConnectionString = "Host=x",
            Retention = TimeSpan.Zero,
            PollInterval = TimeSpan.FromSeconds(-1),
            PurgeInterval = TimeSpan.Zero,
        }.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("Pipeline:Results:Retention", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Pipeline:Results:PollInterval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Pipeline:Results:PurgeInterval", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BadConnectionString_DoesNotShowIt()
    {
        var errors = new PostgresResultStoreOptions { ConnectionString = "Host=x;Password=hunter2-secret;Not A Keyword=hunter2-secret" }.Validate();

        var error = Assert.Single(errors);
        Assert.Contains("Pipeline:Results:ConnectionString", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=db;Username=app;Password=secret", 20)]
    [InlineData("Host=db;Username=app;Password=secret;Maximum Pool Size=50", 50)]
    [InlineData("Host=db;Username=app;Password=secret;MaxPoolSize=7", 7)]
    [InlineData("Host=db;Username=app;Password=secret;Maximum Pool Size=100", 100)]
    public void PooledConnectionString_CapsThePoolAt20UnlessTheStringSetsIt(string connectionString, int expected)
    {
        var options = new PostgresResultStoreOptions { ConnectionString = connectionString };

        var pooled = new Npgsql.NpgsqlConnectionStringBuilder(options.PooledConnectionString);

        Assert.Equal(expected, pooled.MaxPoolSize);
        Assert.Equal(("db", "app", "secret"), (pooled.Host, pooled.Username, pooled.Password));
    }

    [Fact]
    public void Redacted_ShowsWhereButNotThePassword()
    {
        var options = new PostgresResultStoreOptions { ConnectionString = "Host=db.example;Port=6543;Username=app;Password=hunter2-secret;Database=jobs" };

        Assert.Equal("Host=db.example;Port=6543;Database=jobs;Username=app", options.Redacted);
    }

    [Fact]
    public async Task Logs_WrongPassword_NeverShowThePassword()
    {
        var secret = "pw-" + Guid.NewGuid().ToString("N");
        var connectionString = new NpgsqlConnectionStringBuilder(TestSchema.ConnectionString) { Password = secret }.ConnectionString;
        var logger = new ListLogger<PostgresResultStore>();
        var options = Schema.Options(o => o.ConnectionString = connectionString);
        await using var store = new PostgresResultStore(Options.Create(options), TimeProvider.System, logger);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => store.GetAsync("fc-1", TimeSpan.FromSeconds(1), CancellationToken.None).AsTask());

        Assert.Contains("infra/up.sh", error.Message, StringComparison.Ordinal);
        Assert.Contains("Host=127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
        Assert.Contains(logger.Entries, e => e.EventId.Id == 7005);
        Assert.DoesNotContain(secret, logger.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("Password=", logger.AllText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Logs_WorkingStore_NeverShowThePassword()
    {
        var logger = new ListLogger<PostgresResultStore>();
        var store = Schema.Store(logger: logger);
        await store.RegisterAsync("fc-1", CancellationToken.None);
        var get = store.GetAsync("fc-1", TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();
        await Schema.Store().RecordAsync(
            new InvocationCompleted { CallId = "fc-1", Status = InvocationStatus.Succeeded },
            CancellationToken.None);
        await get;
        await store.PurgeExpiredAsync(CancellationToken.None);
        await store.DisposeAsync();

        var password = new NpgsqlConnectionStringBuilder(TestSchema.ConnectionString).Password;
        Assert.Contains(logger.Entries, e => e.EventId.Id == 7000 && e.Text.Contains("Host=", StringComparison.Ordinal));
        Assert.DoesNotContain("Password=", logger.AllText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(TestSchema.ConnectionString, logger.AllText, StringComparison.Ordinal);
        if (password is { Length: > 0 } && password != "pipeline")
        {
            // The default password is also the user and database name, which are logged on purpose.
            Assert.DoesNotContain(password, logger.AllText, StringComparison.Ordinal);
        }
    }
}
