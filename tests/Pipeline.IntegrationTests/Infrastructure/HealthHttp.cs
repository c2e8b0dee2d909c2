namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>HTTP clients for a process's health port, each request bounded.</summary>
public static class HealthHttp
{
    /// <summary>A client of <paramref name="address"/> whose requests give up after 10 s.</summary>
    public static HttpClient Client(Uri address) => new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
}
