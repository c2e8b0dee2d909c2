using System.Text.Json;
using Microsoft.Extensions.Options;
using Pipeline.Client;
using Pipeline.Gateway.Hosting;
using Pipeline.Messages.Invocations;

namespace Pipeline.Gateway.Endpoints;

/// <summary>
/// Serves one request of a web endpoint: binds it, calls the function through the pipeline (so a class method runs in
/// the pool of its parameter set, after that pool's enter), and answers with the result or a status that says what happened.
/// </summary>
internal sealed class WebEndpointHandler(GatewayConnection connection, IOptions<GatewayOptions> options, TimeProvider time, ILogger<WebEndpointHandler> logger)
{
    private readonly GatewayOptions _options = options.Value;

    public async Task<IResult> HandleAsync(HttpContext context, WebRoute route)
    {
        var callable = route.Callable;
        BoundRequest request;
        try
        {
            request = await WebRequestBinder.BindAsync(context.Request, route, context.RequestAborted);
        }
        catch (WebRequestException e)
        {
            return e.Body.ToResult(e.StatusCode);
        }

        using var timeout = new CancellationTokenSource(_options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeout.Token);
        try
        {
            var client = connection.Client;
            var handle = request.Parameters is null
                ? client.Function(callable.App, callable.Name)
                : client.Cls(callable.App, callable.Class!).With(request.Parameters.Values.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value))).Method(callable.Name);
            var value = await handle.RemoteAsync<JsonElement>(request.Arguments, linked.Token);
            return TypedResults.Text(value.ValueKind == JsonValueKind.Undefined ? "null" : value.GetRawText(), "application/json; charset=utf-8", statusCode: StatusCodes.Status200OK);
        }
        catch (RemoteException e)
        {
            return Failed(callable.DisplayName, e);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            Log.GatewayTimeout(logger, callable.DisplayName, _options.RequestTimeout.TotalSeconds);
            return new ErrorBody("gateway_timeout", $"{callable.DisplayName} gave no result within the gateway's {_options.RequestTimeout.TotalSeconds:0.###} s (Pipeline:Gateway:RequestTimeout). It may still finish on a worker.")
                .ToResult(StatusCodes.Status504GatewayTimeout);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away: nobody reads this answer.
            return TypedResults.Empty;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.CallError(logger, e, callable.DisplayName);
            return new ErrorBody("unavailable", $"{callable.DisplayName} could not be called: the pipeline did not take the call. Try again later.")
                .ToResult(StatusCodes.Status503ServiceUnavailable);
        }
    }

    private IResult Failed(string target, RemoteException e)
    {
        var (statusCode, error, message) = e.Status switch
        {
            InvocationStatus.TimedOut => (StatusCodes.Status504GatewayTimeout, "timed_out", e.RemoteMessage ?? $"{target} ran past its timeout."),
            InvocationStatus.Rejected => (StatusCodes.Status400BadRequest, "rejected", e.RemoteMessage ?? $"The worker refused the call to {target}."),
            InvocationStatus.EnterFailed => (StatusCodes.Status503ServiceUnavailable, "enter_failed",
                $"The container for {target} failed in its enter hook, so the call did not run; a fresh container is tried for the next request. {e.RemoteType}: {e.RemoteMessage}"),
            InvocationStatus.Failed => (StatusCodes.Status500InternalServerError, "function_failed", e.RemoteMessage ?? ""),
            _ => (StatusCodes.Status500InternalServerError, "call_" + e.Status.ToString().ToLowerInvariant(), e.RemoteMessage ?? $"The call ended {e.Status}."),
        };
        Log.CallFailed(logger, target, e.CallId, e.Status.ToString(), e.RemoteType, statusCode);
        var body = new ErrorBody(error, message)
        {
            Type = e.Status is InvocationStatus.Failed or InvocationStatus.EnterFailed ? e.RemoteType : null,
            Traceback = _options.ShowTracebacks ? e.RemoteStackTrace : null,
            CallId = e.CallId,
        };
        return body.ToResult(statusCode);
    }
}
