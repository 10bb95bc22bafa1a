using System.Globalization;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Promotion.Registry;

/// <summary>
/// <c>ComposeGate:Registries</c>: settings per registry, keyed by host[:port] as images name it
/// (<c>ComposeGate:Registries:quay.io:Username</c>, <c>ComposeGate:Registries:127.0.0.1:5000:Insecure</c>).
/// A registry without an entry is spoken to anonymously over https (plain http on loopback).
/// </summary>
public sealed class RegistryOptions
{
    public const string Section = "ComposeGate:Registries";

    private static readonly string[] DockerHubKeys = [ImageReference.DockerHub, "docker.io", "index.docker.io"];

    /// <summary>Settings by registry host[:port], compared case-insensitively.</summary>
    public Dictionary<string, RegistryHostOptions> Hosts { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Keys the binder could not place, reported by the start-up validation.</summary>
    internal List<string> BindingErrors { get; } = [];

    /// <summary>The settings for <paramref name="registry"/>; Docker Hub may be configured as <c>docker.io</c> too.</summary>
    public RegistryHostOptions For(string registry)
    {
        if (Hosts.TryGetValue(registry, out var settings))
        {
            return settings;
        }
        if (registry.Equals(ImageReference.DockerHub, StringComparison.OrdinalIgnoreCase))
        {
            foreach (var key in DockerHubKeys)
            {
                if (Hosts.TryGetValue(key, out settings))
                {
                    return settings;
                }
            }
        }
        return new RegistryHostOptions();
    }

    /// <summary>
    /// Reads the section by hand: configuration keys are split on ':', so the standard binder would cut
    /// <c>127.0.0.1:5000</c> in two. Here the last segment is the setting and everything before it the host,
    /// which also works for environment variables (<c>ComposeGate__Registries__127.0.0.1__5000__Username</c>).
    /// </summary>
    public static void Bind(IConfiguration section, RegistryOptions options)
    {
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is null)
            {
                continue;
            }
            var split = key.LastIndexOf(':');
            if (split <= 0)
            {
                options.BindingErrors.Add($"{Section}:{key} is not a setting; give settings per registry, e.g. {Section}:quay.io:Username.");
                continue;
            }
            var host = key[..split];
            var setting = key[(split + 1)..];
            if (!options.Hosts.TryGetValue(host, out var settings))
            {
                settings = new RegistryHostOptions();
                options.Hosts[host] = settings;
            }
            var path = $"{Section}:{host}:{setting}";
            switch (setting.ToLowerInvariant())
            {
                case "username":
                    settings.Username = value.Length == 0 ? null : value;
                    break;
                case "password":
                    settings.Password = value.Length == 0 ? null : value;
                    break;
                case "insecure":
                    if (bool.TryParse(value, out var insecure))
                    {
                        settings.Insecure = insecure;
                    }
                    else
                    {
                        options.BindingErrors.Add($"{path} must be true or false, not '{value}'.");
                    }
                    break;
                case "timeoutseconds":
                    if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
                    {
                        settings.TimeoutSeconds = seconds;
                    }
                    else
                    {
                        options.BindingErrors.Add($"{path} must be a whole number of seconds, not '{value}'.");
                    }
                    break;
                default:
                    options.BindingErrors.Add($"{path} is not a registry setting; use Username, Password, Insecure or TimeoutSeconds.");
                    break;
            }
        }
    }
}

/// <summary>How to reach one registry.</summary>
public sealed class RegistryHostOptions
{
    public const int DefaultTimeoutSeconds = 30;
    public const int MaxTimeoutSeconds = 600;

    /// <summary>User name (or robot account) for the token server or Basic auth; anonymous when unset.</summary>
    public string? Username { get; set; }

    /// <summary>Password or access token; never logged.</summary>
    public string? Password { get; set; }

    /// <summary>Plain http instead of https. Loopback registries use http regardless.</summary>
    public bool Insecure { get; set; }

    /// <summary>Limit for one HTTP exchange (request and response body).</summary>
    public int TimeoutSeconds { get; set; } = DefaultTimeoutSeconds;

    internal bool HasCredentials => Username is not null && Password is not null;

    /// <summary>Without the password, so the settings can be logged.</summary>
    public override string ToString() =>
        $"Username={Username ?? "(anonymous)"}, Password={(Password is null ? "(none)" : "(set)")}, Insecure={Insecure}, TimeoutSeconds={TimeoutSeconds}";
}

/// <summary>Reports every registry setting error at start-up, at once.</summary>
internal sealed class RegistryOptionsValidator : IValidateOptions<RegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        var errors = new List<string>(options.BindingErrors);
        foreach (var (host, settings) in options.Hosts)
        {
            var path = $"{RegistryOptions.Section}:{host}";
            if (!ImageReference.IsValidRegistry(host.ToLowerInvariant()))
            {
                errors.Add($"{path}: '{host}' is not a registry host[:port].");
            }
            if (settings.TimeoutSeconds is < 1 or > RegistryHostOptions.MaxTimeoutSeconds)
            {
                errors.Add($"{path}:TimeoutSeconds must be between 1 and {RegistryHostOptions.MaxTimeoutSeconds}.");
            }
            if ((settings.Username is null) != (settings.Password is null))
            {
                errors.Add($"{path}: set both Username and Password, or neither for anonymous access.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
