using System.Net;

namespace Pipeline.Observability.Health;

/// <summary>Where a process serves its health endpoints; bound from <c>Pipeline:Health</c>.</summary>
public sealed class HealthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Pipeline:Health";

    /// <summary>Whether the process serves <c>/healthz/live</c> and <c>/healthz/ready</c> at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The TCP port. Default <c>0</c>: the process picks a free port and logs the address it bound, so several
    /// processes on one machine never collide. Set a fixed port (for example 8081) where a prober needs to know it, as
    /// in Kubernetes; a fixed port already in use stops the process at start-up with a message naming this key.
    /// </summary>
    public int Port { get; set; }

    /// <summary>
    /// The IP address to listen on. Default <c>127.0.0.1</c> (loopback only). Kubernetes probes come from the node, not
    /// from the pod's loopback: use <c>0.0.0.0</c> (every IPv4 address) or <c>::</c> there.
    /// </summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The address to bind, once <see cref="Validate"/> found no problem.</summary>
    internal IPAddress BindAddress => IPAddress.Parse(Address);

    /// <summary>The errors, each naming the key and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Port is < 0 or > 65535)
        {
            errors.Add($"{SectionName}:Port must be between 0 and 65535 (got {Port}). Use 0 to let the process pick a free port and log it, or a free port such as 8081.");
        }

        if (!IPAddress.TryParse(Address, out _))
        {
            errors.Add($"{SectionName}:Address is '{Address}', which is not an IP address. Use 127.0.0.1 (loopback, the default), or 0.0.0.0 to listen on every address.");
        }

        return errors;
    }
}
