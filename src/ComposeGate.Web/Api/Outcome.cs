namespace ComposeGate.Web.Api;

/// <summary>
/// What a feature command did: succeeded with a value, or was refused (and changed nothing). The API
/// turns a refusal into problem details; pages show its message.
/// </summary>
public abstract record Outcome<T>
{
    public sealed record Ok(T Value) : Outcome<T>;

    /// <summary>Bad input: field → reasons. Maps to 400 with per-field <c>errors</c>.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : Outcome<T>;

    /// <summary>The request conflicts with what exists. Maps to 409.</summary>
    public sealed record Conflict(string Detail) : Outcome<T>;

    public sealed record NotFound(string Detail) : Outcome<T>;

    /// <summary>Well-formed but impossible to act on (e.g. a compose that did not finish). Maps to 422.</summary>
    public sealed record Unprocessable(string Detail) : Outcome<T>;

    public sealed record Forbidden(string Detail) : Outcome<T>;

    public static implicit operator Outcome<T>(T value) => new Ok(value);

    public static implicit operator Outcome<T>(FieldErrors errors) => new Invalid(errors.ToDictionary());

    /// <summary>One sentence for a person: the value's absence explained.</summary>
    public string? Message => this switch
    {
        Invalid invalid => string.Join(" ", invalid.Errors.SelectMany(e => e.Value)),
        Conflict conflict => conflict.Detail,
        NotFound notFound => notFound.Detail,
        Unprocessable unprocessable => unprocessable.Detail,
        Forbidden forbidden => forbidden.Detail,
        _ => null,
    };
}

/// <summary>Collects validation errors per field so a request reports all of them at once.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool Any => errors.Count > 0;

    public FieldErrors Add(string field, string reason)
    {
        if (!errors.TryGetValue(field, out var reasons))
        {
            errors[field] = reasons = [];
        }
        reasons.Add(reason);
        return this;
    }

    /// <summary>Adds <paramref name="reason"/> when <paramref name="failed"/> holds; returns whether it did.</summary>
    public bool AddIf(bool failed, string field, string reason)
    {
        if (failed)
        {
            Add(field, reason);
        }
        return failed;
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
