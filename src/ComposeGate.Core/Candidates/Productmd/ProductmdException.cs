namespace ComposeGate.Candidates.Productmd;

/// <summary>Compose metadata that is malformed or inconsistent, with the JSON path of the offending value.</summary>
public sealed class ProductmdException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string Path { get; } = path;
    public string Reason { get; } = reason;
}
