namespace Dashboard.Features.Reports;

/// <summary>
/// Collects what the (synchronous) ZIP writer writes and hands it to the real output asynchronously, a
/// chunk at a time, so the response is never written synchronously and memory holds one chunk (a report,
/// or a megabyte of a long CSV) whatever the size of the whole archive.
/// </summary>
public sealed class ZipChunkStream : Stream
{
    private MemoryStream _pending = new();

    /// <summary>Bytes written and not yet handed to the output.</summary>
    public long Pending => _pending.Length;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public async Task DrainAsync(Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_pending.Length == 0)
        {
            return;
        }

        _pending.Position = 0;
        await _pending.CopyToAsync(output, ct);
        await output.FlushAsync(ct);
        // A fresh stream each time: a MemoryStream never gives back the capacity one large chunk grew it to.
        await _pending.DisposeAsync();
        _pending = new MemoryStream();
    }

    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);
    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
        }

        base.Dispose(disposing);
    }
}
