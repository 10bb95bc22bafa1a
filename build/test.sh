#!/usr/bin/env bash
# Runs every test of ComposeGate on a Debian machine with the .NET 10 SDK.
# Installs what the tests need when it is missing (Debian's Chromium for the browser tests, python3-rpm
# so rpm version ordering is checked against librpm itself, git, docker-registry + skopeo for the registry client,
# rabbitmq-server for the message bus: each test collection runs its own node on free loopback ports and a temp folder),
# builds the solution once, runs all test projects, and ends with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v git >/dev/null 2>&1 || missing+=(git)
/usr/bin/python3 -c "import rpm" >/dev/null 2>&1 || missing+=(python3-rpm)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Under systemd the package starts a system broker (5672, node rabbit@host); the tests never use it, so don't keep it running.
  if [[ " ${missing[*]} " == *" rabbitmq-server "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now rabbitmq-server >/dev/null 2>&1 || true
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results="$(pwd)/TestResults"
rm -rf "$results"

dotnet tool restore >/dev/null
dotnet build ComposeGate.sln -nologo -clp:ErrorsOnly

status=0
for project in tests/*Tests/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=$?
done

passed=0
failed=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
  f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  passed=$((passed + p))
  failed=$((failed + f))
done
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "No test ran." >&2
  status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
