using Microsoft.Extensions.Options;
using Pipeline.Results;

namespace Pipeline.Scheduler.Hosting;

/// <summary>
/// Checks the scheduler's settings in effect when the host starts, however they were set; each message names its key.
/// The results store is always PostgreSQL here (the local default when no connection string is set), so its settings
/// are checked whether or not one is set.
/// </summary>
internal sealed class SchedulerOptionsValidator : IValidateOptions<SchedulerOptions>, IValidateOptions<PostgresResultStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulerOptions options) =>
        options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;

    public ValidateOptionsResult Validate(string? name, PostgresResultStoreOptions options) =>
        options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
