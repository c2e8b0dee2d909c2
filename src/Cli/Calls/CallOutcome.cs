using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Cli.Hosting;
using Pipeline.Client;
using Pipeline.Messages.Invocations;

namespace Pipeline.Cli.Calls;

/// <summary>How a call ended, as <c>call</c>, <c>get</c> and <c>map --json</c> print it.</summary>
/// <param name="CallId">The call id, when known (a remote call's is not shown by the client).</param>
/// <param name="Status">Succeeded, Failed, TimedOut, Cancelled, Rejected or EnterFailed.</param>
/// <param name="Value">The result, when it succeeded.</param>
/// <param name="Error">The worker's error type and message, otherwise.</param>
/// <param name="Attempts">The attempts made, when known.</param>
internal sealed record CallOutcome(
    string? CallId,
    string Status,
    JsonElement? Value,
    CallError? Error,
    int? Attempts)
{
    [JsonIgnore]
    public bool Succeeded => Status == nameof(InvocationStatus.Succeeded);

    public static CallOutcome Of(InvocationCompleted outcome) => new(
        outcome.CallId,
        outcome.Status.ToString(),
        outcome.Status == InvocationStatus.Succeeded ? outcome.Value ?? JsonSerializer.SerializeToElement<object?>(null) : null,
        outcome.Error is { } error ? new CallError(error.Type, error.Message) : null,
        outcome.Attempts);

    public static CallOutcome Of(RemoteException exception) => new(
        exception.CallId,
        exception.Status.ToString(),
        null,
        new CallError(exception.RemoteType, exception.RemoteMessage ?? exception.Message),
        null);

    public static CallOutcome Of(JsonElement value) => new(null, nameof(InvocationStatus.Succeeded), value, null, null);

    /// <summary>Prints the outcome (the value, or with <c>--json</c> the whole outcome) and returns the exit code.</summary>
    public int Print(CliOutput output)
    {
        if (output.Json)
        {
            output.WriteJson(this);
        }
        else if (Succeeded)
        {
            output.WriteValue(Value);
        }

        if (!Succeeded)
        {
            output.WriteError(Describe());
        }

        return Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>One line: <c>Failed: System.InvalidOperationException: boom (call fc-..., 2 attempts)</c>.</summary>
    public string Describe()
    {
        var call = CallId is null ? "" : Attempts is { } attempts ? $" (call {CallId}, {attempts} attempt{(attempts == 1 ? "" : "s")})" : $" (call {CallId})";
        return $"{Status}: {Error?.Type}: {Error?.Message}{call}";
    }
}

/// <summary>The worker's error, without its stack trace (the worker logs it).</summary>
/// <param name="Type">The exception type thrown on the worker.</param>
/// <param name="Message">Its message.</param>
internal sealed record CallError(string Type, string Message);
