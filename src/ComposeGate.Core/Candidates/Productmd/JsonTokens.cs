using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ComposeGate.Candidates.Productmd;

/// <summary>
/// A pull reader of JSON tokens over a stream, one token at a time, with a bounded buffer: a 100 MB
/// rpms.json is read without ever holding it whole. (Utf8JsonReader is a ref struct and cannot be kept
/// between calls, so each call resumes it from the saved state.)
/// </summary>
internal sealed class JsonTokens : IDisposable
{
    private const int InitialBufferSize = 64 * 1024;

    private readonly Stream stream;
    private byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int start;
    private int end;
    private bool finalBlock;
    private JsonReaderState state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });

    public JsonTokens(Stream stream) => this.stream = stream;

    /// <summary>
    /// Whether errors may repeat the document's values. A document the caller sent is theirs to see again; one the
    /// server fetched from somewhere else is not, so its errors name paths and expectations only.
    /// </summary>
    public bool QuoteValues { get; init; } = true;

    public JsonTokenType TokenType { get; private set; } = JsonTokenType.None;

    /// <summary>The current property name or string value; the raw text of a number.</summary>
    public string? Text { get; private set; }

    public long LineNumber { get; private set; }
    public long BytePositionInLine { get; private set; }

    /// <summary>Moves to the next token; false at the end of the document.</summary>
    public bool Next()
    {
        while (true)
        {
            var reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), finalBlock, state);
            bool read;
            try
            {
                read = reader.Read();
            }
            catch (JsonException e)
            {
                throw new ProductmdException("$", QuoteValues
                    ? $"The JSON is malformed near line {e.LineNumber + 1}: {e.Message.Split(" LineNumber:", 2)[0]}"
                    : $"The JSON is malformed near line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}.");
            }
            if (read)
            {
                TokenType = reader.TokenType;
                Text = reader.TokenType switch
                {
                    JsonTokenType.PropertyName or JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
                    _ => null,
                };
                start += (int)reader.BytesConsumed;
                state = reader.CurrentState;
                return true;
            }
            if (finalBlock)
            {
                TokenType = JsonTokenType.None;
                return false;
            }
            state = reader.CurrentState;
            start += (int)reader.BytesConsumed;
            Refill();
        }
    }

    private void Refill()
    {
        var pending = end - start;
        if (pending == buffer.Length)
        {
            // One token longer than the buffer (a huge string): grow instead of shifting.
            var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            Buffer.BlockCopy(buffer, start, bigger, 0, pending);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = bigger;
        }
        else if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, pending);
        }
        start = 0;
        end = pending;
        var read = stream.Read(buffer, end, buffer.Length - end);
        end += read;
        finalBlock = read == 0;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = [];
    }
}
