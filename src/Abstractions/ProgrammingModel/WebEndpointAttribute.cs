namespace Pipeline;

/// <summary>
/// Serves a function or a class method over HTTP through the gateway (Modal's <c>@modal.fastapi_endpoint()</c>).
/// Put it beside <see cref="FunctionAttribute"/> on a static method, or on an instance method of a
/// <see cref="ClsAttribute"/> class (it makes the method callable, as <see cref="MethodAttribute"/> does).
/// Arguments come from the query string or a JSON body; a class's parameters come from the query string
/// (<c>?name=llama&amp;size=7</c>), defaults applied, so each request reaches the pool of its parameter set.
/// Web endpoints take no retries (Modal's rule): <see cref="RetriesAttribute"/> or <c>Retries=</c> on one is refused at
/// start-up, and a class-wide retry policy does not apply to it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class WebEndpointAttribute : Attribute
{
    /// <summary>Serves the method for HTTP <c>GET</c>.</summary>
    public WebEndpointAttribute()
        : this("GET")
    {
    }

    /// <summary>Serves the method for one HTTP method.</summary>
    /// <param name="method">The HTTP method: <c>GET</c>, <c>POST</c>, <c>PUT</c>, <c>PATCH</c> or <c>DELETE</c> (any case).</param>
    public WebEndpointAttribute(string method)
    {
        Method = method;
    }

    /// <summary>The HTTP method; default <c>GET</c>.</summary>
    public string Method { get; }

    /// <summary>
    /// The URL path, such as <c>"/generate"</c>: letters, digits and <c>- . _ ~ /</c>, starting with <c>/</c>.
    /// Default: <c>/app/function</c> for a function, <c>/app/class/method</c> for a class method (normalized names).
    /// </summary>
    public string? Path { get; set; }
}
