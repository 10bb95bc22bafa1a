namespace ComposeGate.Web.Features.Candidates;

/// <summary>
/// Reads another stream up to a number of bytes: the read that would pass it throws instead, so a document larger
/// than its cap is refused after cap + 1 bytes at most, whatever its Content-Length said (or did not say).
/// </summary>
internal sealed class CappedStream(Stream inner, long cap, Func<Exception> exceeded) : Stream
{
    private long read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, Limit(count)));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer[..Limit(buffer.Length)]));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer[..Limit(buffer.Length)], cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    // Never ask for more than one byte past the cap: that byte is enough to know the document is too large.
    private int Limit(int count) => (int)Math.Min(count, cap + 1 - read);

    private int Count(int bytes)
    {
        read += bytes;
        return read > cap ? throw exceeded() : bytes;
    }
}
