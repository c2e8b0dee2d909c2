namespace Pipeline.Observability.Telemetry;

/// <summary>Where a process exports its traces and metrics; bound from <c>Pipeline:Telemetry</c>. Nothing is exported by default.</summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Pipeline:Telemetry";

    /// <summary>
    /// The OTLP collector, for example <c>http://127.0.0.1:4317</c> (gRPC) or <c>http://127.0.0.1:4318</c> (HTTP). Default:
    /// none, meaning nothing is exported.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>; with HTTP, the endpoint is the collector's base address.</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>The <c>service.name</c> of the exported data. Default: the entry assembly's name (<c>Pipeline.WorkerHost</c>).</summary>
    public string? ServiceName { get; set; }

    /// <summary>The errors, each naming the key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (OtlpEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            errors.Add($"{SectionName}:OtlpEndpoint must be an absolute http:// or https:// URI, such as http://127.0.0.1:4317.");
        }

        if (OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            errors.Add($"{SectionName}:OtlpProtocol must be 'grpc' or 'http/protobuf' (it was '{OtlpProtocol}').");
        }

        return errors;
    }
}
