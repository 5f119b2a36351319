#!/usr/bin/env bash
# Runs every test of the solution. Installs what the tests need when it is missing, then prints one closing
# line "N passed, N failed" (what CI reads) and exits non-zero unless every test passed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "dotnet (the .NET 10 SDK) is required" >&2
  exit 2
fi

# Each tests/setup/*.sh installs one server or tool the tests need (when missing); a failing one fails the run.
shopt -s nullglob
for setup in "$root"/tests/setup/*.sh; do
  if ! bash "$setup"; then
    echo "setup step $(basename "$setup") failed" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
done
shopt -u nullglob

results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"

# Build everything first: some tests run the built silo, client and sample as processes.
if ! dotnet build "$root/Orleans.ConvoOrchestrator.sln" -c Release; then
  echo "0 passed, 1 failed"
  exit 1
fi

# The lanes (README): the unit project first (seconds, in parallel), then the cluster and system tests, one class
# after another. --blame-hang-timeout: a hung test fails the run with a dump instead of eating CI's time.
status=0
for project in Orleans.ConvoOrchestrator.UnitTests Orleans.ConvoOrchestrator.Tests; do
  dotnet test "$root/tests/$project/$project.csproj" -c Release --no-build \
    --logger "trx;LogFileName=$project.trx" --results-directory "$results" \
    --blame-hang-timeout 5m "$@" || status=1
done

passed=0
failed=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
done
trx_count=$(ls "$results"/*.trx 2>/dev/null | wc -l)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or the test host failed before any test could report: count it as a failure.
  failed=1
fi
if [ "$trx_count" -eq 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
