namespace ComposeGate.Tests.Infrastructure;

/// <summary>A clock the tests move by hand (the feed has no Microsoft.Extensions.TimeProvider.Testing).</summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public TestClock() : this(new DateTimeOffset(2026, 11, 20, 6, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
