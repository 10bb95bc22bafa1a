using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ComposeGate.Web.Api;

/// <summary>
/// Reads a JSON body as it streams past and refuses what no endpoint may store: NUL characters, invalid UTF-8,
/// unpaired surrogate escapes, and JSON that does not parse (too deeply nested included), naming the JSON path.
/// It is as lenient as the most lenient endpoint (comments, trailing commas, a byte order mark), so a body it
/// passes cannot hide anything from it behind syntax an endpoint accepts.
/// </summary>
internal sealed class JsonBodyScanner : IBodyScanner
{
    /// <summary>No string, number or property name a caller legitimately sends comes close; a larger one is an attack on memory.</summary>
    public const int MaxTokenBytes = 4 * 1024 * 1024;

    public const int MaxDepth = 64;

    private static readonly JsonReaderOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = MaxDepth,
    };

    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private readonly List<Frame> frames = [];
    private JsonReaderState state = new(Options);
    private byte[] pending = new byte[16 * 1024];
    private int pendingLength;
    private bool started;
    private long seen;
    private int depth;
    private char[] text = new char[256];

    public void Feed(ReadOnlySpan<byte> chunk, bool final)
    {
        Append(chunk);
        seen += chunk.Length;
        var data = pending.AsSpan(0, pendingLength);
        if (!started)
        {
            if (data.Length < ByteOrderMark.Length && !final)
            {
                return;
            }
            started = true;
            if (data.StartsWith(ByteOrderMark))
            {
                data = data[ByteOrderMark.Length..];
            }
        }
        if (seen == 0)
        {
            // No body at all: whether that is acceptable is the endpoint's business.
            return;
        }
        var reader = new Utf8JsonReader(data, final, state);
        try
        {
            while (reader.Read())
            {
                Visit(ref reader);
            }
        }
        catch (JsonException e) when (e is not RefusedBodyException)
        {
            throw new RefusedBodyException(Path(), e.Message, RefusedBodyException.MalformedTitle);
        }
        state = reader.CurrentState;
        var rest = data[(int)reader.BytesConsumed..];
        if (rest.Length > MaxTokenBytes)
        {
            throw new RefusedBodyException(Path(), $"A single JSON value is longer than {MaxTokenBytes / (1024 * 1024)} MiB.", RefusedBodyException.MalformedTitle);
        }
        rest.CopyTo(pending);
        pendingLength = rest.Length;
    }

    private void Append(ReadOnlySpan<byte> chunk)
    {
        if (pendingLength + chunk.Length > pending.Length)
        {
            Array.Resize(ref pending, Math.Max(pending.Length * 2, pendingLength + chunk.Length));
        }
        chunk.CopyTo(pending.AsSpan(pendingLength));
        pendingLength += chunk.Length;
    }

    private void Visit(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                NextElement();
                Push(reader.TokenType == JsonTokenType.StartArray);
                break;
            case JsonTokenType.EndObject or JsonTokenType.EndArray:
                depth--;
                break;
            case JsonTokenType.PropertyName:
                ReadName(ref reader);
                break;
            case JsonTokenType.String:
                NextElement();
                CheckString(ref reader);
                break;
            default:
                NextElement();
                break;
        }
    }

    private void NextElement()
    {
        if (depth > 0 && frames[depth - 1].IsArray)
        {
            frames[depth - 1].Index++;
        }
    }

    private void Push(bool isArray)
    {
        if (frames.Count == depth)
        {
            frames.Add(new Frame());
        }
        frames[depth].Reset(isArray);
        depth++;
    }

    private void ReadName(ref Utf8JsonReader reader)
    {
        var frame = frames[depth - 1];
        frame.NameLength = -1;
        frame.EnsureName(reader.ValueSpan.Length);
        try
        {
            frame.NameLength = reader.CopyString(frame.Name);
        }
        catch (InvalidOperationException)
        {
            throw Refused("A property name is not valid UTF-8, or holds an unpaired surrogate escape.");
        }
        if (frame.Name.AsSpan(0, frame.NameLength).Contains('\0'))
        {
            throw Refused(RefusedBodyException.NulReason);
        }
    }

    private void CheckString(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            // The reader itself refuses raw control characters, NUL among them; what is left is the encoding.
            if (!Utf8.IsValid(reader.ValueSpan))
            {
                throw Refused("The text is not valid UTF-8.");
            }
            return;
        }
        if (text.Length < reader.ValueSpan.Length)
        {
            text = new char[Math.Max(text.Length * 2, reader.ValueSpan.Length)];
        }
        int length;
        try
        {
            length = reader.CopyString(text);
        }
        catch (InvalidOperationException)
        {
            throw Refused("The text is not valid UTF-8, or holds an unpaired surrogate escape (\\uD800-\\uDFFF).");
        }
        if (text.AsSpan(0, length).Contains('\0'))
        {
            throw Refused(RefusedBodyException.NulReason);
        }
    }

    private RefusedBodyException Refused(string reason) =>
        new(Path(), reason, RefusedBodyException.RefusedTitle);

    /// <summary>The path of the value being read, written the way System.Text.Json writes it (<c>$.items[0].title</c>).</summary>
    private string Path()
    {
        var path = new StringBuilder("$");
        for (var i = 0; i < depth; i++)
        {
            var frame = frames[i];
            if (frame.IsArray)
            {
                if (frame.Index >= 0)
                {
                    path.Append('[').Append(frame.Index).Append(']');
                }
            }
            else if (frame.NameLength >= 0)
            {
                AppendName(path, frame.Name.AsSpan(0, frame.NameLength));
            }
        }
        return path.ToString();
    }

    private static void AppendName(StringBuilder path, ReadOnlySpan<char> name)
    {
        if (name.Length > 0 && name.IndexOfAny(".'[]()/\\\" ") < 0 && !name.ContainsAnyInRange('\0', '\u001f'))
        {
            path.Append('.').Append(name);
            return;
        }
        path.Append("['");
        foreach (var c in name)
        {
            if (c is '\'' or '\\')
            {
                path.Append('\\').Append(c);
            }
            else if (c < ' ')
            {
                path.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                path.Append(c);
            }
        }
        path.Append("']");
    }

    /// <summary>One open object (its current property name) or array (its current index), reused as the body goes deeper.</summary>
    private sealed class Frame
    {
        public bool IsArray { get; private set; }
        public int Index { get; set; }
        public char[] Name { get; private set; } = new char[64];
        public int NameLength { get; set; }

        public void Reset(bool isArray)
        {
            IsArray = isArray;
            Index = -1;
            NameLength = -1;
        }

        public void EnsureName(int length)
        {
            if (Name.Length < length)
            {
                Name = new char[Math.Max(Name.Length * 2, length)];
            }
        }
    }
}
