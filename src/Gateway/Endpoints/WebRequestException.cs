namespace Pipeline.Gateway.Endpoints;

/// <summary>A request that cannot become a call: answered with <see cref="StatusCode"/> and an <see cref="ErrorBody"/>.</summary>
internal sealed class WebRequestException(int statusCode, string error, string? field, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;

    public ErrorBody Body { get; } = new(error, message, field);

    public static WebRequestException BadRequest(string error, string? field, string message, Exception? inner = null) =>
        new(StatusCodes.Status400BadRequest, error, field, message, inner);
}
