using System.Text.Json;
using System.Text.RegularExpressions;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>
/// Every difference between two JSON documents, field by field, each named by its path (<c>$.items[3].status</c>), so
/// a test can report them all at once. Paths may be left out with patterns in which <c>[*]</c> stands for any index;
/// a left-out path takes everything beneath it along.
/// </summary>
public static class JsonDifferences
{
    public static IReadOnlyList<string> Between(JsonElement expected, JsonElement actual, params string[] ignored)
    {
        var skip = ignored.Select(p => new Regex("^" + Regex.Escape(p).Replace(@"\[\*]", @"\[\d+]") + "$")).ToList();
        var differences = new List<string>();
        Compare(expected, actual, "$", skip, differences);
        return differences;
    }

    private static void Compare(JsonElement expected, JsonElement actual, string path, List<Regex> skip, List<string> differences)
    {
        if (skip.Any(s => s.IsMatch(path)))
        {
            return;
        }
        if (expected.ValueKind != actual.ValueKind)
        {
            differences.Add($"{path}: {Short(expected)} became {Short(actual)}");
            return;
        }
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var fields = actual.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                foreach (var field in expected.EnumerateObject())
                {
                    if (fields.Remove(field.Name, out var value))
                    {
                        Compare(field.Value, value, $"{path}.{field.Name}", skip, differences);
                    }
                    else if (!skip.Any(s => s.IsMatch($"{path}.{field.Name}")))
                    {
                        differences.Add($"{path}.{field.Name}: {Short(field.Value)} is missing");
                    }
                }
                differences.AddRange(fields.Where(f => !skip.Any(s => s.IsMatch($"{path}.{f.Key}")))
                    .Select(f => $"{path}.{f.Key}: new, {Short(f.Value)}"));
                break;
            case JsonValueKind.Array:
                var length = Math.Min(expected.GetArrayLength(), actual.GetArrayLength());
                for (var i = 0; i < length; i++)
                {
                    Compare(expected[i], actual[i], $"{path}[{i}]", skip, differences);
                }
                if (expected.GetArrayLength() != actual.GetArrayLength())
                {
                    differences.Add($"{path}: {expected.GetArrayLength()} elements became {actual.GetArrayLength()}");
                }
                break;
            default:
                // Numbers compare by their text: 1.0 and 1 are different answers to a client that reads them.
                if (expected.GetRawText() != actual.GetRawText())
                {
                    differences.Add($"{path}: {Short(expected)} became {Short(actual)}");
                }
                break;
        }
    }

    private static string Short(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 160 ? text : text[..157] + "...";
    }
}
