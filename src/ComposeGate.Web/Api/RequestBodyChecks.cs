using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace ComposeGate.Web.Api;

/// <summary>
/// Every body sent to the API passes one check while the endpoint reads it, whatever the endpoint does with it:
/// UTF-8 only, no NUL characters, JSON that parses (<see cref="JsonBodyScanner"/>; text bodies such as a
/// policy's YAML: <see cref="TextBodyScanner"/>). A refused body is a 400 naming the JSON path or line, and since
/// endpoints read the whole body before acting, nothing is stored.
/// </summary>
internal static class RequestBodyChecks
{
    public static WebApplication UseRequestBodyChecks(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (!Access.ApiAuthorizationResultHandler.IsApiRequest(request)
                || !(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)))
            {
                await next(context);
                return;
            }
            MediaTypeHeaderValue.TryParse(request.ContentType, out var type);
            // Minimal APIs would transcode another charset to UTF-8 behind the check's back; JSON is UTF-8 (RFC 8259).
            if (type?.Charset is { Length: > 0 } charset && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                await OutcomeResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                    $"Bodies are UTF-8; charset '{charset}' is not accepted.").ExecuteAsync(context);
                return;
            }
            var isText = type is not null && (type.Type.Equals("text", StringComparison.OrdinalIgnoreCase)
                || type.SubType.Value?.Contains("yaml", StringComparison.OrdinalIgnoreCase) == true);
            request.Body = new CheckedBodyStream(request.Body, isText ? new TextBodyScanner() : new JsonBodyScanner());
            context.Features.Set<IRequestBodyPipeFeature>(new RequestBodyPipeFeature(context));
            await next(context);
        });
        return app;
    }
}

/// <summary>Checks a body incrementally, fed with each chunk as it is read and told when the body ends.</summary>
internal interface IBodyScanner
{
    void Feed(ReadOnlySpan<byte> chunk, bool final);
}

/// <summary>
/// A body the API refuses to read any further, with the JSON path (or <c>line N</c>) of the fault. A
/// <see cref="JsonException"/> so that minimal APIs' body binding reports it like any other malformed body.
/// </summary>
internal sealed class RefusedBodyException(string path, string reason, string title) : JsonException(reason, path, null, null)
{
    public const string MalformedTitle = "Malformed JSON";
    public const string RefusedTitle = "Refused text";
    /// <summary>Why a NUL character is refused, in JSON and text bodies alike.</summary>
    public const string NulReason = "Text must not contain NUL (U+0000) characters.";

    public string Title { get; } = title;
}

/// <summary>The request body, passed through a scanner on its way to the endpoint; a refusal is thrown again on every later read.</summary>
internal sealed class CheckedBodyStream(Stream inner, IBodyScanner scanner) : Stream
{
    private RefusedBodyException? refused;
    private bool ended;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfRefused();
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Scan(buffer.Span[..read], isEnd: read == 0 && buffer.Length > 0);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        ThrowIfRefused();
        var read = inner.Read(buffer);
        Scan(buffer[..read], isEnd: read == 0 && buffer.Length > 0);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    private void Scan(ReadOnlySpan<byte> chunk, bool isEnd)
    {
        if (ended || (chunk.IsEmpty && !isEnd))
        {
            return;
        }
        ended = isEnd;
        try
        {
            scanner.Feed(chunk, isEnd);
        }
        catch (RefusedBodyException e)
        {
            refused = e;
            throw;
        }
    }

    private void ThrowIfRefused()
    {
        if (refused is not null)
        {
            throw refused;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
