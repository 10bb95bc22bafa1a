using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web;

/// <summary>The <c>ComposeGate</c> configuration section.</summary>
public sealed class ComposeGateOptions
{
    public const string Section = "ComposeGate";

    /// <summary>Folder for the SQLite database and other state; relative paths are taken from the content root.</summary>
    public string? DataDir { get; set; }

    public BootstrapOptions Bootstrap { get; set; } = new();

    public Data.KeyProtectionOptions DataProtection { get; set; } = new();

    /// <summary>The data folder as an absolute path (default: <c>data/</c> beside the app).</summary>
    public string ResolveDataDir(string contentRoot) =>
        string.IsNullOrWhiteSpace(DataDir)
            ? Path.Combine(AppContext.BaseDirectory, "data")
            : Path.GetFullPath(DataDir, contentRoot);
}

/// <summary>First-run settings: the initial admin password and an automation token.</summary>
public sealed class BootstrapOptions
{
    public string? AdminPassword { get; set; }
    public string? AdminToken { get; set; }
}

/// <summary>Reports every configuration error at start-up, at once.</summary>
internal sealed class ComposeGateOptionsValidator : IValidateOptions<ComposeGateOptions>
{
    public const int MinimumAdminTokenLength = 32;

    public ValidateOptionsResult Validate(string? name, ComposeGateOptions options)
    {
        var errors = new List<string>();
        if (options.Bootstrap.AdminToken is { } token && token.Length > 0)
        {
            if (token.Length < MinimumAdminTokenLength)
            {
                errors.Add($"ComposeGate:Bootstrap:AdminToken must be at least {MinimumAdminTokenLength} characters long.");
            }
            if (token.Any(char.IsWhiteSpace))
            {
                errors.Add("ComposeGate:Bootstrap:AdminToken must not contain whitespace.");
            }
        }
        if (options.Bootstrap.AdminPassword is { Length: > 0 and < 8 })
        {
            errors.Add("ComposeGate:Bootstrap:AdminPassword must be at least 8 characters long.");
        }
        if (options.DataDir is { } dir && dir.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add("ComposeGate:DataDir is not a valid path.");
        }
        errors.AddRange(options.DataProtection.Validate());
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
