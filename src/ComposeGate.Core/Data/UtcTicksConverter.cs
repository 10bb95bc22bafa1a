using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ComposeGate.Data;

/// <summary>Stores a <see cref="DateTimeOffset"/> as its UTC ticks; values read back are in UTC.</summary>
public sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
