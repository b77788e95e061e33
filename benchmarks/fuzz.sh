#!/usr/bin/env bash
# The long fuzz run: every decoder's fuzz test (the *FuzzTest classes the test suite runs briefly) with INPUTS
# mutants per decoder instead of a few thousand, then the table of README.md, "Fuzzing". Leak detection stays at
# PARANOID, as in every test JVM. Arguments: [inputs] [test-pattern] [seed], e.g. benchmarks/fuzz.sh (1,000,000),
# benchmarks/fuzz.sh 200000 'L2tpFuzzTest', or benchmarks/fuzz.sh 1000000 '*FuzzTest' 2 for another master seed.
# Exits non-zero when a decoder has a finding (each is printed with its input in hex and its stack trace) or a
# test fails otherwise (a leaked buffer fails its test class). Offline: MAVEN_ARGS=-o benchmarks/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
inputs=${1:-1000000}
pattern=${2:-'*FuzzTest'}
seed=${3:-}
report="$PWD/benchmarks/target/fuzz-report.tsv"
mkdir -p benchmarks/target
: > "$report"
log="$PWD/benchmarks/target/fuzz.log"
set +e
./mvnw -B test -pl dataplane,aaa-adapter,concentrator -am -Dtest="$pattern" -Dsurefire.failIfNoSpecifiedTests=false \
  -Dmaven.test.failure.ignore=true -Dl2sec.fuzz.inputs="$inputs" -Dl2sec.fuzz.report="$report" \
  ${seed:+-Dl2sec.fuzz.seed="$seed"} > "$log" 2>&1
status=$?
set -e
grep -E '^fuzz |^  FINDING' "$log" || true
echo
printf '| %-26s | %12s | %9s | %8s | %8s | %8s |\n' decoder inputs 'exec/s' seconds outcomes findings
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..28})" "$(printf -- '-%.0s' {1..14})" "$(printf -- '-%.0s' {1..11})" \
  "$(printf -- '-%.0s' {1..10})" "$(printf -- '-%.0s' {1..10})" "$(printf -- '-%.0s' {1..10})"
awk -F'\t' '{ printf "| %-26s | %12s | %9s | %8s | %8s | %8s |\n", $1, $2, $3, $4, $5, $6 }' "$report"
if [ "$status" -ne 0 ]; then echo "maven failed (exit $status), see $log" >&2; exit "$status"; fi
# test failures are ignored above so that every module runs; a leak (LeakCheckExtension) or a failed assertion
# other than a finding still fails the run
if grep -qE '^\[ERROR\] Tests run: .*(Failures: [1-9]|Errors: [1-9])' "$log"; then
  grep -E 'leaked buffer|<<< (FAILURE|ERROR)' "$log" >&2 || true
  echo "test failures: see $log" >&2
  exit 1
fi
if awk -F'\t' '$6 != 0 { found = 1 } END { exit !found }' "$report"; then echo "findings: see $log" >&2; exit 1; fi
