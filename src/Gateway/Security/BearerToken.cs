using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Pipeline.Gateway.Security;

/// <summary>
/// Checks <c>Authorization: Bearer &lt;token&gt;</c> against the configured token in constant time: both sides are
/// hashed first, so neither the content nor the length of the token leaks through timing. Keeps only the hash.
/// </summary>
internal sealed class BearerToken(string token)
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public bool Accepts(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization];
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(value["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
