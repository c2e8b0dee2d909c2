using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Messages.Parameters;

/// <summary>
/// The canonical binary encoding of a parameter set and its hash (spec: docs/parameter-encoding.md).
/// Version byte 0x01, then each parameter in ordinal UTF-8 order of its name:
/// type tag (1 byte), name length (u16 big-endian), name (UTF-8), value.
/// </summary>
public static class ParameterEncoding
{
    /// <summary>The largest encoded parameter set, in bytes: 16 KiB, Modal's limit.</summary>
    public const int MaxEncodedBytes = 16 * 1024;

    /// <summary>The first byte of every encoding.</summary>
    public const byte Version = 0x01;

    /// <summary>Hex characters of the SHA-256 hash used in pool names (64 bits).</summary>
    public const int PoolIdLength = 16;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes parameters canonically. The pairs may come in any order; names must be distinct.</summary>
    /// <param name="parameters">The parameters, already validated and with defaults applied.</param>
    /// <returns>The canonical bytes.</returns>
    public static byte[] Encode(IEnumerable<KeyValuePair<string, ParameterValue>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        try
        {
            return EncodeCore(parameters);
        }
        catch (EncoderFallbackException e)
        {
            throw new ParameterException("A parameter name or string value is not valid Unicode (it has a lone surrogate). Pass well-formed strings, or use byte[] for binary data.", e);
        }
    }

    private static byte[] EncodeCore(IEnumerable<KeyValuePair<string, ParameterValue>> parameters)
    {
        var sorted = parameters
            .Select(p => (Name: StrictUtf8.GetBytes(p.Key), p.Value))
            .OrderBy(p => p.Name, ByteOrder.Instance)
            .ToList();

        using var buffer = new MemoryStream();
        buffer.WriteByte(Version);
        Span<byte> scratch = stackalloc byte[8];
        byte[]? previous = null;
        foreach (var (name, value) in sorted)
        {
            if (previous is not null && previous.AsSpan().SequenceEqual(name))
            {
                throw new ParameterException($"Parameter '{Encoding.UTF8.GetString(name)}' is given twice; give each parameter once.");
            }

            previous = name;
            if (name.Length is 0 or > ushort.MaxValue)
            {
                throw new ParameterException("A parameter name must be 1 to 65535 UTF-8 bytes long.");
            }

            buffer.WriteByte(Tag(value.Type));
            BinaryPrimitives.WriteUInt16BigEndian(scratch, (ushort)name.Length);
            buffer.Write(scratch[..2]);
            buffer.Write(name);
            switch (value.Type)
            {
                case ParameterType.String:
                    WriteBlob(buffer, StrictUtf8.GetBytes(value.AsString()), scratch);
                    break;
                case ParameterType.Int:
                    BinaryPrimitives.WriteInt64BigEndian(scratch, value.AsInt());
                    buffer.Write(scratch[..8]);
                    break;
                case ParameterType.Bool:
                    buffer.WriteByte(value.AsBool() ? (byte)1 : (byte)0);
                    break;
                case ParameterType.Bytes:
                    WriteBlob(buffer, value.AsBytes(), scratch);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(parameters), value.Type, "Unknown parameter type.");
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The lowercase hex SHA-256 of an encoding.</summary>
    /// <param name="encoded">Bytes from <see cref="Encode"/>.</param>
    public static string Hash(ReadOnlySpan<byte> encoded) => Convert.ToHexStringLower(SHA256.HashData(encoded));

    /// <summary>The type tag byte: <c>s</c>, <c>i</c>, <c>b</c> or <c>y</c>.</summary>
    /// <param name="type">The parameter type.</param>
    public static byte Tag(ParameterType type) => type switch
    {
        ParameterType.String => (byte)'s',
        ParameterType.Int => (byte)'i',
        ParameterType.Bool => (byte)'b',
        ParameterType.Bytes => (byte)'y',
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown parameter type."),
    };

    private static void WriteBlob(MemoryStream buffer, ReadOnlySpan<byte> bytes, Span<byte> scratch)
    {
        BinaryPrimitives.WriteUInt32BigEndian(scratch, (uint)bytes.Length);
        buffer.Write(scratch[..4]);
        buffer.Write(bytes);
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
