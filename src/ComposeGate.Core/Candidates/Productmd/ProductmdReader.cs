using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ComposeGate.Candidates.Rpm;

namespace ComposeGate.Candidates.Productmd;

/// <summary>
/// Reads productmd composeinfo.json and rpms.json (header versions 1.0–1.2), streaming, and validates them
/// as productmd does: NEVRA keys with an explicit epoch, source RPMs only under category "source", compose
/// types and dates in their documented forms. Every refusal names the JSON path of the offending value.
/// </summary>
public static partial class ProductmdReader
{
    /// <summary>productmd's COMPOSE_TYPES, least to most important.</summary>
    public static readonly IReadOnlyList<string> ComposeTypes = ["test", "ci", "nightly", "production", "development"];

    public const string ComposeInfoType = "productmd.composeinfo";
    public const string RpmsType = "productmd.rpms";

    /// <summary>
    /// Reads a composeinfo.json document; <paramref name="path"/> prefixes the JSON paths of errors, and without
    /// <paramref name="quoteValues"/> no error repeats a value of the document (it was fetched, not sent by the caller).
    /// </summary>
    public static ComposeInfo ReadComposeInfo(Stream json, string path = "$", bool quoteValues = true)
    {
        using var tokens = new JsonTokens(json) { QuoteValues = quoteValues };
        tokens.Next();
        var info = ParseComposeInfo(tokens, path);
        EndOfDocument(tokens);
        return info;
    }

    /// <summary>Reads an rpms.json document. <paramref name="composeId"/> is the id its payload names.</summary>
    public static IReadOnlyList<ManifestRpm> ReadRpms(Stream json, out string composeId, string path = "$", bool quoteValues = true)
    {
        using var tokens = new JsonTokens(json) { QuoteValues = quoteValues };
        tokens.Next();
        var rpms = ParseRpms(tokens, path, out composeId);
        EndOfDocument(tokens);
        return rpms;
    }

    /// <summary>Checks that the two documents describe the same compose, and returns it.</summary>
    public static ComposeMetadata Combine(ComposeInfo info, IReadOnlyList<ManifestRpm> rpms, string rpmsComposeId, string rpmsPath, bool quoteValues = true)
    {
        if (rpmsComposeId != info.Id)
        {
            throw new ProductmdException($"{rpmsPath}.payload.compose.id", quoteValues
                ? $"rpms.json is for compose '{rpmsComposeId}' but composeinfo.json is for '{info.Id}'."
                : "rpms.json is for another compose than composeinfo.json.");
        }
        if (info.Variants.Count > 0)
        {
            var known = info.Variants.ToHashSet(StringComparer.Ordinal);
            if (rpms.FirstOrDefault(r => !known.Contains(r.Variant)) is { } stray)
            {
                throw new ProductmdException(Key($"{rpmsPath}.payload.rpms", stray.Variant), quoteValues
                    ? $"variant '{stray.Variant}' is not one of composeinfo.json's variants ({string.Join(", ", info.Variants)})."
                    : "this variant is not one of composeinfo.json's variants.");
            }
        }
        return new ComposeMetadata(info, rpms);
    }

    internal static ComposeInfo ParseComposeInfo(JsonTokens tokens, string path)
    {
        Header? header = null;
        ComposeInfo? info = null;
        ForEachProperty(tokens, path, (name, propertyPath) =>
        {
            switch (name)
            {
                case "header":
                    header = ParseHeader(tokens, propertyPath);
                    break;
                case "payload":
                    info = ParseComposeInfoPayload(tokens, propertyPath);
                    break;
                default:
                    Skip(tokens);
                    break;
            }
        });
        CheckHeader(tokens, header, ComposeInfoType, path);
        return info ?? throw new ProductmdException($"{path}.payload", "is missing.");
    }

    internal static IReadOnlyList<ManifestRpm> ParseRpms(JsonTokens tokens, string path, out string composeId)
    {
        Header? header = null;
        string? id = null;
        var rpms = new List<ManifestRpm>();
        ForEachProperty(tokens, path, (name, propertyPath) =>
        {
            switch (name)
            {
                case "header":
                    header = ParseHeader(tokens, propertyPath);
                    break;
                case "payload":
                    id = ParseRpmsPayload(tokens, propertyPath, rpms);
                    break;
                default:
                    Skip(tokens);
                    break;
            }
        });
        CheckHeader(tokens, header, RpmsType, path);
        composeId = id ?? throw new ProductmdException($"{path}.payload", "is missing.");
        return rpms;
    }

    private sealed record Header(string? Type, string Version, string Path);

    private static Header ParseHeader(JsonTokens tokens, string path)
    {
        string? type = null;
        string? version = null;
        ForEachProperty(tokens, path, (name, propertyPath) =>
        {
            switch (name)
            {
                case "type":
                    type = ReadString(tokens, propertyPath);
                    break;
                case "version":
                    version = ReadString(tokens, propertyPath);
                    break;
                default:
                    Skip(tokens);
                    break;
            }
        });
        return new Header(type, version ?? throw new ProductmdException($"{path}.version", "is missing."), path);
    }

    private static void CheckHeader(JsonTokens tokens, Header? header, string expectedType, string path)
    {
        if (header is null)
        {
            throw new ProductmdException($"{path}.header", "is missing.");
        }
        if (!HeaderVersion().IsMatch(header.Version))
        {
            throw new ProductmdException($"{header.Path}.version", $"{Quote(tokens, header.Version)} is not a productmd version (major.minor).");
        }
        var parts = header.Version.Split('.');
        var (major, minor) = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        if (major != 1 || minor > 2)
        {
            throw new ProductmdException($"{header.Path}.version", $"{(tokens.QuoteValues ? "version " + header.Version : "this version")} is not supported; 1.0 to 1.2 are.");
        }
        // productmd requires the type from 1.1 on; when present it must name this document.
        if (header.Type is null && minor >= 1)
        {
            throw new ProductmdException($"{header.Path}.type", $"is required from version 1.1 on; expected '{expectedType}'.");
        }
        if (header.Type is not null && header.Type != expectedType)
        {
            throw new ProductmdException($"{header.Path}.type", $"{(tokens.QuoteValues ? $"unknown header type '{header.Type}'" : "another header type")} here; expected '{expectedType}'.");
        }
    }

    private static ComposeInfo ParseComposeInfoPayload(JsonTokens tokens, string path)
    {
        string? id = null, date = null, type = null, label = null;
        int? respin = null;
        string? releaseName = null, releaseShort = null, releaseVersion = null;
        var variants = new List<string>();
        ForEachProperty(tokens, path, (name, section) =>
        {
            switch (name)
            {
                case "compose":
                    ForEachProperty(tokens, section, (field, fieldPath) =>
                    {
                        switch (field)
                        {
                            case "id": id = ReadString(tokens, fieldPath); break;
                            case "date": date = ReadString(tokens, fieldPath); break;
                            case "type": type = ReadString(tokens, fieldPath); break;
                            case "respin": respin = ReadInt(tokens, fieldPath); break;
                            case "label": label = ReadNullableString(tokens, fieldPath); break;
                            default: Skip(tokens); break;
                        }
                    });
                    break;
                case "release":
                    ForEachProperty(tokens, section, (field, fieldPath) =>
                    {
                        switch (field)
                        {
                            case "name": releaseName = ReadString(tokens, fieldPath); break;
                            case "short": releaseShort = ReadString(tokens, fieldPath); break;
                            case "version": releaseVersion = ReadString(tokens, fieldPath); break;
                            default: Skip(tokens); break;
                        }
                    });
                    break;
                case "variants":
                    ForEachProperty(tokens, section, (uid, _) =>
                    {
                        variants.Add(uid);
                        Skip(tokens);
                    });
                    break;
                default:
                    Skip(tokens);
                    break;
            }
        });

        var compose = $"{path}.compose";
        id = Required(id, $"{compose}.id");
        if (!ComposeId().IsMatch(id))
        {
            throw new ProductmdException($"{compose}.id",
                $"{Quote(tokens, id)} is not a compose id (release-version-YYYYMMDD[.type].respin, letters, digits, '.', '_', '+', '-').");
        }
        date = Required(date, $"{compose}.date");
        if (!ComposeDate().IsMatch(date))
        {
            throw new ProductmdException($"{compose}.date", $"{Quote(tokens, date)} is not a date in the form YYYYMMDD.");
        }
        if (!DateOnly.TryParseExact(date, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw new ProductmdException($"{compose}.date", $"'{date}' is not a day of the calendar.");
        }
        type = Required(type, $"{compose}.type");
        if (!ComposeTypes.Contains(type))
        {
            throw new ProductmdException($"{compose}.type", $"{Quote(tokens, type)} is not a compose type ({string.Join(", ", ComposeTypes)}).");
        }
        var respinValue = respin ?? throw new ProductmdException($"{compose}.respin", "is missing.");
        if (respinValue < 0)
        {
            throw new ProductmdException($"{compose}.respin", "must not be negative.");
        }
        var release = $"{path}.release";
        return new ComposeInfo(id, date, type, respinValue, label,
            Required(releaseName, $"{release}.name"), Required(releaseShort, $"{release}.short"), Required(releaseVersion, $"{release}.version"),
            variants);
    }

    private static string ParseRpmsPayload(JsonTokens tokens, string path, List<ManifestRpm> rpms)
    {
        string? id = null;
        var seenRpms = false;
        ForEachProperty(tokens, path, (name, section) =>
        {
            switch (name)
            {
                case "compose":
                    ForEachProperty(tokens, section, (field, fieldPath) =>
                    {
                        if (field == "id")
                        {
                            id = ReadString(tokens, fieldPath);
                        }
                        else
                        {
                            Skip(tokens);
                        }
                    });
                    break;
                case "rpms":
                    seenRpms = true;
                    ParseRpmTree(tokens, section, rpms);
                    break;
                default:
                    Skip(tokens);
                    break;
            }
        });
        if (!seenRpms)
        {
            throw new ProductmdException($"{path}.rpms", "is missing.");
        }
        return id ?? throw new ProductmdException($"{path}.compose.id", "is missing.");
    }

    private static void ParseRpmTree(JsonTokens tokens, string path, List<ManifestRpm> rpms)
    {
        // Variant, arch, category and sigkey values repeat tens of thousands of times: keep one copy each.
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        string Shared(string value) => strings.TryGetValue(value, out var kept) ? kept : strings[value] = value;

        ForEachProperty(tokens, path, (variant, variantPath) =>
        {
            variant = Shared(variant);
            ForEachProperty(tokens, variantPath, (arch, archPath) =>
            {
                if (arch is "src" or "nosrc")
                {
                    throw new ProductmdException(archPath, $"'{arch}' is not a compose arch: source RPMs are listed under each binary arch.");
                }
                arch = Shared(arch);
                ForEachProperty(tokens, archPath, (srpmKey, srpmPath) =>
                {
                    if (!Nevra.TryParseProductmdKey(srpmKey, out var source, out var error))
                    {
                        throw new ProductmdException(srpmPath, $"{Quote(tokens, srpmKey, "this key")} is not a source RPM NEVRA: {error}.");
                    }
                    if (!source!.IsSource)
                    {
                        throw new ProductmdException(srpmPath, $"{Quote(tokens, srpmKey, "this key")} is not a source RPM (its arch must be 'src' or 'nosrc').");
                    }
                    ForEachProperty(tokens, srpmPath, (rpmKey, rpmPath) =>
                        rpms.Add(ParseRpmEntry(tokens, rpmPath, rpmKey, variant, arch, source, Shared)));
                });
            });
        });
    }

    private static ManifestRpm ParseRpmEntry(JsonTokens tokens, string path, string rpmKey, string variant, string arch, Nevra source, Func<string, string> shared)
    {
        if (!Nevra.TryParseProductmdKey(rpmKey, out var rpm, out var error))
        {
            throw new ProductmdException(path, $"{Quote(tokens, rpmKey, "this key")} is not an RPM NEVRA: {error}.");
        }
        string? filePath = null, sigkey = null, category = null;
        var sawSigkey = false;
        ForEachProperty(tokens, path, (field, fieldPath) =>
        {
            switch (field)
            {
                case "path": filePath = ReadString(tokens, fieldPath); break;
                case "sigkey": sigkey = ReadNullableString(tokens, fieldPath); sawSigkey = true; break;
                case "category": category = ReadString(tokens, fieldPath); break;
                default: Skip(tokens); break;
            }
        });
        filePath = Required(filePath, $"{path}.path");
        if (filePath.StartsWith('/') || filePath.Split('/').Contains(".."))
        {
            throw new ProductmdException($"{path}.path", $"{Quote(tokens, filePath)} must be relative to the compose, without '..'.");
        }
        var kind = Required(category, $"{path}.category") switch
        {
            "binary" => RpmCategory.Binary,
            "debug" => RpmCategory.Debug,
            "source" => RpmCategory.Source,
            var other => throw new ProductmdException($"{path}.category", $"{Quote(tokens, other)} is not a category (binary, debug, source)."),
        };
        if (rpm!.IsSource != (kind == RpmCategory.Source))
        {
            throw new ProductmdException($"{path}.category", rpm.IsSource
                ? $"{Quote(tokens, rpmKey, "this RPM")} is a source RPM, so its category must be 'source'{(tokens.QuoteValues ? $", not '{category}'" : "")}."
                : $"{Quote(tokens, rpmKey, "this RPM")} is not a source RPM, so its category cannot be 'source'.");
        }
        if (sawSigkey && sigkey is not null && !SigKey().IsMatch(sigkey))
        {
            throw new ProductmdException($"{path}.sigkey", $"{Quote(tokens, sigkey)} is not a key id (hexadecimal) or null.");
        }
        return new ManifestRpm(variant, arch, source, rpm, filePath, sigkey is null ? null : shared(sigkey.ToLowerInvariant()), kind);
    }

    private static void ForEachProperty(JsonTokens tokens, string path, Action<string, string> property)
    {
        if (tokens.TokenType != JsonTokenType.StartObject)
        {
            throw new ProductmdException(path, $"must be an object, not {Describe(tokens.TokenType)}.");
        }
        while (tokens.Next() && tokens.TokenType == JsonTokenType.PropertyName)
        {
            var name = tokens.Text!;
            tokens.Next();
            property(name, Key(path, name));
        }
    }

    private static string ReadString(JsonTokens tokens, string path) =>
        tokens.TokenType == JsonTokenType.String
            ? tokens.Text!
            : throw new ProductmdException(path, $"must be a string, not {Describe(tokens.TokenType)}.");

    private static string? ReadNullableString(JsonTokens tokens, string path) =>
        tokens.TokenType == JsonTokenType.Null ? null : ReadString(tokens, path);

    private static int ReadInt(JsonTokens tokens, string path) =>
        tokens.TokenType == JsonTokenType.Number && int.TryParse(tokens.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ProductmdException(path, $"must be an integer, not {Describe(tokens.TokenType)}{(tokens.TokenType == JsonTokenType.Number && tokens.QuoteValues ? $" {tokens.Text}" : "")}.");

    private static string Required(string? value, string path) =>
        value ?? throw new ProductmdException(path, "is missing.");

    /// <summary>Skips the value the reader is on (and everything inside it).</summary>
    internal static void Skip(JsonTokens tokens)
    {
        if (tokens.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return;
        }
        var depth = 1;
        while (depth > 0 && tokens.Next())
        {
            depth += tokens.TokenType switch
            {
                JsonTokenType.StartObject or JsonTokenType.StartArray => 1,
                JsonTokenType.EndObject or JsonTokenType.EndArray => -1,
                _ => 0,
            };
        }
    }

    internal static void EndOfDocument(JsonTokens tokens)
    {
        if (tokens.Next())
        {
            throw new ProductmdException("$", "unexpected content after the end of the document.");
        }
    }

    /// <summary>JSON path of a property: dotted when the name is a plain identifier, bracketed otherwise.</summary>
    public static string Key(string path, string name) =>
        PlainName().IsMatch(name) ? $"{path}.{name}" : $"{path}['{name.Replace("\\", "\\\\").Replace("'", "\\'")}']";

    /// <summary>A value of the document in quotes, or what it is when the document's values are not to be repeated.</summary>
    private static string Quote(JsonTokens tokens, string value, string instead = "the value") =>
        tokens.QuoteValues ? $"'{value}'" : instead;

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };

    [GeneratedRegex(@"^\d+\.\d+$")]
    private static partial Regex HeaderVersion();

    [GeneratedRegex(@"^\d{8}$")]
    private static partial Regex ComposeDate();

    [GeneratedRegex(@"^(?=[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$).*\d{8}(\.nightly|\.n|\.ci|\.test|\.t|\.d)?(\.\d+)?$")]
    private static partial Regex ComposeId();

    [GeneratedRegex("^[0-9A-Fa-f]{8,40}$")]
    private static partial Regex SigKey();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainName();
}
