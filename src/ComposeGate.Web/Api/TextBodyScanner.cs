using System.Buffers;
using System.Text.Unicode;

namespace ComposeGate.Web.Api;

/// <summary>
/// The same rule for text bodies (a policy's YAML): valid UTF-8 without NUL characters, refusals naming the line.
/// </summary>
internal sealed class TextBodyScanner : IBodyScanner
{
    private readonly char[] chars = new char[4096];
    private byte[] carry = new byte[16];
    private int carryLength;
    private int line = 1;

    public void Feed(ReadOnlySpan<byte> chunk, bool final)
    {
        var input = chunk;
        if (carryLength > 0)
        {
            // A character split across two reads: decode it with the bytes that complete it.
            var joined = new byte[carryLength + chunk.Length];
            carry.AsSpan(0, carryLength).CopyTo(joined);
            chunk.CopyTo(joined.AsSpan(carryLength));
            input = joined;
            carryLength = 0;
        }
        while (true)
        {
            var status = Utf8.ToUtf16(input, chars, out var read, out var written, replaceInvalidSequences: false, isFinalBlock: final);
            Count(chars.AsSpan(0, written));
            input = input[read..];
            switch (status)
            {
                case OperationStatus.Done:
                    return;
                case OperationStatus.DestinationTooSmall:
                    continue;
                case OperationStatus.NeedMoreData:
                    if (carry.Length < input.Length)
                    {
                        carry = new byte[input.Length];
                    }
                    input.CopyTo(carry);
                    carryLength = input.Length;
                    return;
                default:
                    throw new RefusedBodyException($"line {line}", "The text is not valid UTF-8.", RefusedBodyException.RefusedTitle);
            }
        }
    }

    private void Count(ReadOnlySpan<char> decoded)
    {
        var nul = decoded.IndexOf('\0');
        var upTo = nul < 0 ? decoded : decoded[..nul];
        line += upTo.Count('\n');
        if (nul >= 0)
        {
            throw new RefusedBodyException($"line {line}", RefusedBodyException.NulReason, RefusedBodyException.RefusedTitle);
        }
    }
}
