using System.Text;

namespace ComposeGate.Web.Promotion.Registry;

/// <summary>
/// One challenge of a <c>WWW-Authenticate</c> header (RFC 7235): a scheme and its parameters. Values may be
/// quoted strings containing commas and escaped quotes, as in <c>scope="repository:a:pull,push"</c>, and one
/// header may carry several challenges (<c>Bearer realm="…",service="…", Basic realm="…"</c>).
/// </summary>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public static IReadOnlyList<AuthChallenge> Parse(IEnumerable<string> headers) => headers.SelectMany(Parse).ToList();

    public static IReadOnlyList<AuthChallenge> Parse(string header)
    {
        var reader = new Reader(header);
        var challenges = new List<AuthChallenge>();
        while (true)
        {
            reader.SkipSeparators();
            if (reader.AtEnd)
            {
                return challenges;
            }
            var scheme = reader.ReadToken();
            if (scheme.Length == 0)
            {
                reader.Skip();
                continue;
            }
            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                reader.SkipSeparators();
                // A token not followed by '=' starts the next challenge.
                if (reader.AtEnd || !reader.ParameterAhead())
                {
                    break;
                }
                var name = reader.ReadToken();
                reader.SkipWhitespace();
                reader.Skip();
                reader.SkipWhitespace();
                var value = reader.Peek == '"' ? reader.ReadQuoted() : reader.ReadToken();
                parameters.TryAdd(name, value);
            }
            challenges.Add(new AuthChallenge(scheme, parameters));
        }
    }

    private sealed class Reader(string text)
    {
        private int position;

        public bool AtEnd => position >= text.Length;

        public char Peek => AtEnd ? '\0' : text[position];

        public void Skip() => position++;

        public void SkipWhitespace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }

        public void SkipSeparators()
        {
            while (!AtEnd && (char.IsWhiteSpace(text[position]) || text[position] == ','))
            {
                position++;
            }
        }

        public string ReadToken()
        {
            var start = position;
            while (!AtEnd && IsTokenChar(text[position]))
            {
                position++;
            }
            return text[start..position];
        }

        public string ReadQuoted()
        {
            var value = new StringBuilder();
            position++;
            while (!AtEnd)
            {
                var c = text[position++];
                if (c == '"')
                {
                    break;
                }
                if (c == '\\' && !AtEnd)
                {
                    c = text[position++];
                }
                value.Append(c);
            }
            return value.ToString();
        }

        public bool ParameterAhead()
        {
            var probe = position;
            while (probe < text.Length && IsTokenChar(text[probe]))
            {
                probe++;
            }
            if (probe == position)
            {
                return false;
            }
            while (probe < text.Length && char.IsWhiteSpace(text[probe]))
            {
                probe++;
            }
            return probe < text.Length && text[probe] == '=';
        }

        private static bool IsTokenChar(char c) => !char.IsWhiteSpace(c) && c is not (',' or '=' or '"');
    }
}
