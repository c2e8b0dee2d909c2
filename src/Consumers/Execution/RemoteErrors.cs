using Pipeline.Messages.Invocations;

namespace Pipeline.Consumers.Execution;

/// <summary>Turns a worker-side exception into what the caller sees.</summary>
internal static class RemoteErrors
{
    public static RemoteError From(Exception exception)
    {
        var trace = exception.StackTrace;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            trace += $"{Environment.NewLine} ---> {inner.GetType().FullName}: {inner.Message}{Environment.NewLine}{inner.StackTrace}";
        }

        return new RemoteError(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, trace);
    }
}
