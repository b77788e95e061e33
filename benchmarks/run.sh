#!/usr/bin/env bash
# Builds the benchmarks and runs the packet path against the bare JCE work as pairs (PairedRun: for each direction
# and transform, a fork of the baseline, then a fork of the path, ROUNDS times; one benchmark thread = one core),
# then prints the table of README.md, "Performance". Arguments: [rounds] [direction-regex] [transform-regex],
# e.g. benchmarks/run.sh 5, or benchmarks/run.sh 3 outbound AES128_GCM16.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
./mvnw -B -q -pl benchmarks -am package -DskipTests
"$JAVA_HOME/bin/java" -cp benchmarks/target/benchmarks.jar net.l2sec.benchmarks.PairedRun "$@"
