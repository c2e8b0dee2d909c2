namespace Pipeline.Results;

/// <summary>The rules for idempotency keys, the same in every store.</summary>
internal static class IdempotencyKey
{
    /// <summary>The longest key, in characters: room for a schedule's <c>name:occurrence-UTC</c> and then some.</summary>
    public const int MaxLength = 200;

    /// <summary>Throws when <paramref name="key"/> cannot be an idempotency key; the message names the rule.</summary>
    /// <param name="key">The key.</param>
    /// <param name="parameterName">The caller's parameter, for the exception.</param>
    public static void Validate(string key, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(key, parameterName);
        if (key.Length == 0)
        {
            throw new ArgumentException("The idempotency key is empty; give 1 to 200 characters, or no key at all.", parameterName);
        }

        if (key.Length > MaxLength)
        {
            throw new ArgumentException(
                $"The idempotency key is {key.Length} characters long; the limit is {MaxLength}. Use a shorter key (a hash of a long one).",
                parameterName);
        }

        // PostgreSQL text cannot hold NUL; refusing it everywhere keeps the embedded store from accepting what a server refuses.
        if (key.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The idempotency key holds a NUL character (\\u0000), which no store can keep; remove it.", parameterName);
        }
    }
}
