using Pipeline.Messages.Parameters;

namespace Pipeline.Messages.Naming;

/// <summary>
/// The one place pool queue names are made. Names are for people reading the RabbitMQ UI:
/// <c>inference.nightly-report</c> for a function, <c>inference.model.p-3fa2c1d4e5b6a7c8</c> for a class pool.
/// They use only <c>a-z 0-9 - .</c>, never start with <c>amq.</c>, and leave room for MassTransit's <c>_error</c> suffix.
/// </summary>
public static class QueueNames
{
    /// <summary>The longest pool queue name; RabbitMQ allows 255 bytes and suffixes such as <c>_skipped</c> must fit.</summary>
    public const int MaxLength = 200;

    /// <summary>The queue of a function's pool.</summary>
    /// <param name="app">The app name (normalized here).</param>
    /// <param name="function">The function name (normalized here).</param>
    public static string ForFunction(string app, string function) =>
        Names.Shorten($"{Part(app, nameof(app))}.{Part(function, nameof(function))}", MaxLength);

    /// <summary>The queue of a class pool for one parameter set. A class without parameters has one pool, <c>app.class</c>.</summary>
    /// <param name="app">The app name (normalized here).</param>
    /// <param name="cls">The class name (normalized here).</param>
    /// <param name="parameters">The complete parameter set.</param>
    public static string ForClass(string app, string cls, ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var prefix = $"{Part(app, nameof(app))}.{Part(cls, nameof(cls))}";
        if (parameters.Count == 0)
        {
            return Names.Shorten(prefix, MaxLength);
        }

        var suffix = ".p-" + parameters.PoolId;
        return Names.Shorten(prefix, MaxLength - suffix.Length) + suffix;
    }

    private static string Part(string value, string what)
    {
        var normalized = Names.Normalize(value ?? throw new ArgumentNullException(what));
        if (what == "app" && normalized == "amq")
        {
            throw new ArgumentException("RabbitMQ reserves queue names starting with 'amq.'; choose another app name.", what);
        }

        return normalized.Length > 0
            ? normalized
            : throw new ArgumentException($"'{value}' has no letters or digits to name a queue with.", what);
    }
}
