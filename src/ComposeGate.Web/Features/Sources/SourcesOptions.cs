using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Features.Sources;

/// <summary>
/// <c>ComposeGate:Sources</c>: what the server may read when it fetches a compose (a URL ingest, a source poll, an
/// announcement): local folders besides the data folder and the streams' own local <c>ComposeUrl</c>s, and the time
/// and size limits of every remote document.
/// </summary>
public sealed class SourcesOptions
{
    public const string Section = "ComposeGate:Sources";

    /// <summary>A STATUS file holds one word such as FINISHED.</summary>
    public const int MaxStatusBytes = 1024;

    /// <summary>An Apache or nginx index of a few thousand composes is well under a megabyte.</summary>
    public const int MaxIndexBytes = 8 * 1024 * 1024;

    /// <summary>Absolute folders composes may be read from on this machine.</summary>
    public List<string> AllowedRoots { get; set; } = [];

    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>For each document, from the request to its last byte.</summary>
    public int TimeoutSeconds { get; set; } = 300;

    /// <summary>Per metadata file: a 60,000-RPM compose's rpms.json is about 15 MB, Fedora's run to hundreds.</summary>
    public long MaxMetadataBytes { get; set; } = 512L * 1024 * 1024;
}

/// <summary>Checks <see cref="SourcesOptions"/> at start-up and reports every error at once.</summary>
internal sealed class SourcesOptionsValidator : IValidateOptions<SourcesOptions>
{
    public const int MaxTimeoutSeconds = 24 * 60 * 60;
    public const long MinMetadataBytes = 1024;

    public ValidateOptionsResult Validate(string? name, SourcesOptions options)
    {
        var key = SourcesOptions.Section;
        var errors = new List<string>();
        for (var i = 0; i < options.AllowedRoots.Count; i++)
        {
            var root = options.AllowedRoots[i];
            if (string.IsNullOrWhiteSpace(root) || !Path.IsPathFullyQualified(root) || root.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            {
                errors.Add($"{key}:AllowedRoots:{i} '{root}' is not an absolute folder path.");
            }
        }
        if (options.ConnectTimeoutSeconds is < 1 or > MaxTimeoutSeconds)
        {
            errors.Add($"{key}:ConnectTimeoutSeconds must be between 1 and {MaxTimeoutSeconds}.");
        }
        if (options.TimeoutSeconds is < 1 or > MaxTimeoutSeconds)
        {
            errors.Add($"{key}:TimeoutSeconds must be between 1 and {MaxTimeoutSeconds}.");
        }
        else if (options.ConnectTimeoutSeconds > options.TimeoutSeconds)
        {
            errors.Add($"{key}:ConnectTimeoutSeconds ({options.ConnectTimeoutSeconds}) cannot be longer than TimeoutSeconds ({options.TimeoutSeconds}).");
        }
        if (options.MaxMetadataBytes < MinMetadataBytes)
        {
            errors.Add($"{key}:MaxMetadataBytes must be at least {MinMetadataBytes} (bytes; the default is {512L * 1024 * 1024}, 512 MiB).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
