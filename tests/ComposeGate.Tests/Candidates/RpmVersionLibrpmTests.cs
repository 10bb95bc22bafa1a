using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;
using ComposeGate.Candidates.Rpm;

namespace ComposeGate.Tests.Candidates;

/// <summary>
/// Cross-checks <see cref="RpmVersion"/> and <see cref="Evr"/> against librpm itself (Debian's
/// python3-rpm, <c>rpm.labelCompare</c>) on a fixed-seed batch of tricky random inputs.
/// </summary>
public sealed class RpmVersionLibrpmTests(RpmVersionLibrpmTests.LibrpmBatch batch, ITestOutputHelper output)
    : IClassFixture<RpmVersionLibrpmTests.LibrpmBatch>
{
    [Fact]
    public void Compare_RandomVersionPairs_MatchLibrpm()
    {
        batch.AssertRan();
        Assert.True(batch.VersionPairs.Count >= 20_000, $"only {batch.VersionPairs.Count} version pairs generated");

        var mismatches = new List<string>();
        var outcomes = new Dictionary<int, int> { [-1] = 0, [0] = 0, [1] = 0 };
        for (int k = 0; k < batch.VersionPairs.Count; k++)
        {
            (string a, string b) = batch.VersionPairs[k];
            int expected = batch.VersionAnswers[k];
            int actual = RpmVersion.Compare(a, b);
            outcomes[expected] = outcomes.GetValueOrDefault(expected) + 1;
            if (actual != expected)
            {
                mismatches.Add($"Compare({Show(a)}, {Show(b)}): librpm {expected}, ours {actual}");
            }
        }

        output.WriteLine($"{batch.VersionPairs.Count} version pairs agree with librpm; outcomes -1/0/1: {outcomes[-1]}/{outcomes[0]}/{outcomes[1]}.");
        AssertNoMismatches(mismatches, batch.VersionPairs.Count, "version pairs");

        // Guard against a degenerate generator: every outcome must be well represented.
        foreach ((int outcome, int count) in outcomes)
        {
            Assert.True(count >= batch.VersionPairs.Count / 20, $"outcome {outcome} occurred only {count} times");
        }
    }

    [Fact]
    public void CompareTo_RandomEvrPairs_MatchLibrpm()
    {
        batch.AssertRan();
        Assert.True(batch.EvrPairs.Count >= 4_000, $"only {batch.EvrPairs.Count} EVR pairs generated");

        var mismatches = new List<string>();
        for (int k = 0; k < batch.EvrPairs.Count; k++)
        {
            EvrPair pair = batch.EvrPairs[k];
            int expected = batch.EvrAnswers[k];
            Evr left = pair.Left();
            Evr right = pair.Right();
            int actual = left.CompareTo(right);
            if (actual != expected)
            {
                mismatches.Add($"{Show(left.ToString())}.CompareTo({Show(right.ToString())}) [labelCompare({pair.Describe()})]: librpm {expected}, ours {actual}");
            }

            // The EVR written out (epoch always shown) and, without epoch, read back must be the same EVR.
            if (Evr.Parse(left.ToString()) != left)
            {
                mismatches.Add($"Evr.Parse({Show(left.ToString())}) does not round-trip");
            }

            string withoutEpoch = $"{pair.V1}-{pair.R1}";
            if (pair.E1 is null && Evr.Parse(withoutEpoch) != left)
            {
                mismatches.Add($"Evr.Parse({Show(withoutEpoch)}) is not {Show(left.ToString())}");
            }
        }

        output.WriteLine($"{batch.EvrPairs.Count} EVR pairs checked against librpm.");
        AssertNoMismatches(mismatches, batch.EvrPairs.Count, "EVR pairs");
    }

    private static void AssertNoMismatches(List<string> mismatches, int total, string what)
    {
        if (mismatches.Count > 0)
        {
            Assert.Fail($"{mismatches.Count} of {total} {what} disagree with librpm; first ones:\n" +
                string.Join('\n', mismatches.Take(25)));
        }
    }

    /// <summary>Shows a string with non-ASCII and control characters escaped, so failures are readable.</summary>
    private static string Show(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            if (c is >= ' ' and <= '~' && c != '"' && c != '\\')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Two EVRs as given to labelCompare; a null epoch is passed to rpm as None (our side: 0).</summary>
    public sealed record EvrPair(string? E1, string V1, string R1, string? E2, string V2, string R2)
    {
        public Evr Left() => new(E1 is null ? 0 : int.Parse(E1, CultureInfo.InvariantCulture), V1, R1);

        public Evr Right() => new(E2 is null ? 0 : int.Parse(E2, CultureInfo.InvariantCulture), V2, R2);

        public string Describe() =>
            $"({ShowEpoch(E1)}, {Show(V1)}, {Show(R1)}), ({ShowEpoch(E2)}, {Show(V2)}, {Show(R2)})";

        private static string ShowEpoch(string? e) => e is null ? "None" : Show(e);
    }

    /// <summary>Generates the inputs once and asks librpm about all of them in a single python process.</summary>
    public sealed class LibrpmBatch
    {
        private const int Seed = 20_260_721;
        private const int VersionPairCount = 20_000;
        private const int EvrPairCount = 5_000;
        private const string Python = "/usr/bin/python3";

        // Reads "V\ta\tb" and "E\te1\tv1\tr1\te2\tv2\tr2" lines (empty epoch = None); prints one result per line.
        private const string Script = """
            import sys
            try:
                import rpm
            except ImportError as e:
                sys.stderr.write("%s\n" % e)
                sys.exit(3)
            out = []
            with open(sys.argv[1], encoding="utf-8", newline="\n") as f:
                for line in f:
                    p = line[:-1].split("\t")
                    if p[0] == "V" and p[1] and p[2]:
                        out.append(rpm.labelCompare(("0", p[1], "1"), ("0", p[2], "1")))
                    elif p[0] == "V":
                        # labelCompare rejects an empty version; the release goes through rpmvercmp as well.
                        out.append(rpm.labelCompare(("0", "1", p[1]), ("0", "1", p[2])))
                    else:
                        out.append(rpm.labelCompare((p[1] or None, p[2], p[3]), (p[4] or None, p[5], p[6])))
            sys.stdout.write("\n".join(str(r) for r in out) + "\n")
            """;

        private static readonly string[] Words = ["rc", "git", "pre", "el", "fc", "beta", "Alpha", "post", "dev", "svn", "b"];
        private static readonly string[] NonAscii = ["é", "α", "ß", "€", "😀", "中", "Ä"];
        private static readonly string[] Separators = [".", ".", ".", "_", "+", "-"];

        private readonly Random _random = new(Seed);
        private readonly string? _error;

        public LibrpmBatch()
        {
            var versionPairs = new List<(string A, string B)>();
            foreach ((string a, string b) in HandPicked)
            {
                versionPairs.Add((a, b));
                versionPairs.Add((b, a));
            }

            while (versionPairs.Count < VersionPairCount + (2 * HandPicked.Length))
            {
                versionPairs.Add(NextVersionPair());
            }

            var evrPairs = new List<EvrPair>();
            for (int k = 0; k < EvrPairCount; k++)
            {
                evrPairs.Add(NextEvrPair());
            }

            VersionPairs = versionPairs;
            EvrPairs = evrPairs;

            var input = new StringBuilder();
            foreach ((string a, string b) in versionPairs)
            {
                input.Append("V\t").Append(a).Append('\t').Append(b).Append('\n');
            }

            foreach (EvrPair p in evrPairs)
            {
                input.Append("E\t").Append(p.E1).Append('\t').Append(p.V1).Append('\t').Append(p.R1)
                    .Append('\t').Append(p.E2).Append('\t').Append(p.V2).Append('\t').Append(p.R2).Append('\n');
            }

            _error = RunLibrpm(input.ToString(), versionPairs.Count + evrPairs.Count, out int[] answers);
            VersionAnswers = answers.Length == 0 ? [] : answers[..versionPairs.Count];
            EvrAnswers = answers.Length == 0 ? [] : answers[versionPairs.Count..];
        }

        public IReadOnlyList<(string A, string B)> VersionPairs { get; }

        public IReadOnlyList<EvrPair> EvrPairs { get; }

        public int[] VersionAnswers { get; }

        public int[] EvrAnswers { get; }

        /// <summary>Fails (never skips) when librpm could not be asked.</summary>
        public void AssertRan()
        {
            if (_error is not null)
            {
                Assert.Fail(_error);
            }
        }

        private static readonly (string, string)[] HandPicked =
        [
            ("1.0~rc1", "1.0"), ("1.0", "1.0^"), ("1.0^git1", "1.01"), ("1.0^git1~pre", "1.0^git1"),
            ("10.0001", "10.1"), ("2_0", "2.0"), ("a+", "a_"), ("xyz.4", "8"), ("1.0", "1.0."),
            ("2.0.1", "2.0"), ("1.0a", "1.0"), ("~", ""), ("^", ""), ("~", "^"), ("", ""), ("", "."),
            ("1^", "1a"), ("1^a", "1^1"), ("1.0", "1.0^~"), ("Z", "a"), ("1αβ2", "1.2"), ("ä", "a"),
            ("0001234567890123456789012345678901234567890", "1234567890123456789012345678901234567890"),
            ("1234567890123456789012345678901234567890", "1234567890123456789012345678901234567891"),
            ("18446744073709551615", "18446744073709551616"), ("a😀b", "a.b"), ("1~~", "1~"),
        ];

        private static string? RunLibrpm(string input, int expectedCount, out int[] answers)
        {
            answers = [];
            const string Install = "Install librpm's Python bindings: apt-get install -y python3-rpm.";
            string file = Path.Combine(Path.GetTempPath(), $"composegate-rpmvercmp-{Guid.NewGuid():N}.tsv");
            try
            {
                File.WriteAllText(file, input, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                var start = new ProcessStartInfo(Python)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                    StandardOutputEncoding = Encoding.UTF8,
                    StandardErrorEncoding = Encoding.UTF8,
                };
                start.ArgumentList.Add("-c");
                start.ArgumentList.Add(Script);
                start.ArgumentList.Add(file);
                start.Environment["PYTHONIOENCODING"] = "utf-8";

                var stderr = new StringBuilder();
                using var process = new Process { StartInfo = start };
                process.ErrorDataReceived += (_, e) =>
                {
                    if (e.Data is not null)
                    {
                        lock (stderr)
                        {
                            stderr.AppendLine(e.Data);
                        }
                    }
                };

                try
                {
                    process.Start();
                }
                catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or FileNotFoundException)
                {
                    return $"Cannot run {Python} ({ex.Message}). {Install}";
                }

                process.BeginErrorReadLine();
                string stdout = process.StandardOutput.ReadToEnd();
                if (!process.WaitForExit(120_000))
                {
                    process.Kill(entireProcessTree: true);
                    return $"{Python} did not finish comparing {expectedCount} pairs within 120 s.";
                }

                process.WaitForExit();
                string errors;
                lock (stderr)
                {
                    errors = stderr.ToString();
                }

                if (process.ExitCode == 3)
                {
                    return $"{Python} cannot 'import rpm': {errors.Trim()}. {Install}";
                }

                if (process.ExitCode != 0)
                {
                    return $"{Python} failed with exit code {process.ExitCode}: {errors.Trim()}";
                }

                string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (lines.Length != expectedCount)
                {
                    return $"librpm returned {lines.Length} results for {expectedCount} pairs. stderr: {errors.Trim()}";
                }

                answers = new int[lines.Length];
                for (int k = 0; k < lines.Length; k++)
                {
                    int r = int.Parse(lines[k], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                    answers[k] = Math.Sign(r);
                }

                return null;
            }
            finally
            {
                File.Delete(file);
            }
        }

        private (string, string) NextVersionPair()
        {
            List<string> a = NextTokens();
            int mode = _random.Next(100);
            if (mode < 25)
            {
                return (Join(a), Join(NextTokens()));
            }

            if (mode < 35)
            {
                return (Join(a), Join(a));
            }

            if (mode < 45)
            {
                // Same base, different tails: ~, ^, separator + segment, or nothing.
                string tailA = NextTail();
                string tailB = NextTail();
                return (Join(a) + tailA, Join(a) + tailB);
            }

            var b = new List<string>(a);
            int mutations = 1 + _random.Next(3);
            for (int m = 0; m < mutations; m++)
            {
                Mutate(b);
            }

            return (Join(a), Join(b));
        }

        private EvrPair NextEvrPair()
        {
            string? e1 = NextEpoch();
            string v1 = NextNonEmptyEvrPart();
            string r1 = NextNonEmptyEvrPart();
            string? e2 = _random.Next(3) == 0 ? NextEpoch() : e1;
            string v2 = _random.Next(3) == 0 ? NextNonEmptyEvrPart() : MutatedEvrPart(v1);
            string r2 = _random.Next(3) == 0 ? NextNonEmptyEvrPart() : MutatedEvrPart(r1);
            return _random.Next(2) == 0 ? new EvrPair(e1, v1, r1, e2, v2, r2) : new EvrPair(e2, v2, r2, e1, v1, r1);
        }

        private string? NextEpoch() => _random.Next(10) switch
        {
            0 or 1 or 2 => null,
            3 or 4 or 5 => "0",
            6 => "1",
            7 => "2",
            8 => "10",
            _ => "00" + _random.Next(12).ToString(CultureInfo.InvariantCulture),
        };

        /// <summary>A version or release usable inside an EVR: non-empty, without '-' or ':'.</summary>
        private string NextNonEmptyEvrPart()
        {
            while (true)
            {
                string s = Join(NextTokens()).Replace('-', '.');
                if (s.Length > 0)
                {
                    return s;
                }
            }
        }

        private string MutatedEvrPart(string s)
        {
            if (_random.Next(3) == 0)
            {
                return s;
            }

            var tokens = new List<string> { s };
            Mutate(tokens);
            string mutated = Join(tokens).Replace('-', '.');
            return mutated.Length > 0 ? mutated : s;
        }

        private List<string> NextTokens()
        {
            int count = _random.Next(8);
            var tokens = new List<string>(count);
            for (int k = 0; k < count; k++)
            {
                tokens.Add(NextToken());
            }

            return tokens;
        }

        private string NextToken()
        {
            int kind = _random.Next(100);
            return kind switch
            {
                < 30 => NextDigits(),
                < 45 => NextLetters(),
                < 70 => Separators[_random.Next(Separators.Length)],
                < 80 => "~",
                < 90 => "^",
                < 95 => Words[_random.Next(Words.Length)],
                _ => NonAscii[_random.Next(NonAscii.Length)],
            };
        }

        private string NextDigits()
        {
            var sb = new StringBuilder();
            if (_random.Next(4) == 0)
            {
                sb.Append('0', 1 + _random.Next(3));
            }

            int length = _random.Next(20) == 0 ? 15 + _random.Next(30) : 1 + _random.Next(3);
            for (int k = 0; k < length; k++)
            {
                sb.Append((char)('0' + _random.Next(10)));
            }

            return sb.ToString();
        }

        private string NextLetters()
        {
            const string Letters = "aabzAZcCxy";
            var sb = new StringBuilder();
            int length = 1 + _random.Next(3);
            for (int k = 0; k < length; k++)
            {
                sb.Append(Letters[_random.Next(Letters.Length)]);
            }

            return sb.ToString();
        }

        private string NextTail() => _random.Next(6) switch
        {
            0 => "",
            1 => "~" + NextToken(),
            2 => "^" + NextToken(),
            3 => "." + NextDigits(),
            4 => NextLetters(),
            _ => NextToken(),
        };

        private void Mutate(List<string> tokens)
        {
            int at = tokens.Count == 0 ? 0 : _random.Next(tokens.Count);
            switch (_random.Next(7))
            {
                case 0:
                    tokens.Insert(_random.Next(tokens.Count + 1), NextToken());
                    break;
                case 1 when tokens.Count > 0:
                    tokens.RemoveAt(at);
                    break;
                case 2 when tokens.Count > 0:
                    tokens[at] = NextToken();
                    break;
                case 3 when tokens.Count > 0:
                    // Leading zeros added or removed: usually no change for rpm.
                    tokens[at] = tokens[at].StartsWith('0') ? tokens[at].TrimStart('0') : "0" + tokens[at];
                    break;
                case 4 when tokens.Count > 0:
                    tokens[at] = tokens[at].Any(char.IsAsciiLetterLower)
                        ? tokens[at].ToUpperInvariant()
                        : tokens[at].ToLowerInvariant();
                    break;
                case 5:
                    tokens.Add(NextTail());
                    break;
                default:
                    tokens.Insert(at, Separators[_random.Next(Separators.Length)]);
                    break;
            }
        }

        private static string Join(List<string> tokens) => string.Concat(tokens);
    }
}
