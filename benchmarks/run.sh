#!/usr/bin/env bash
# Builds the benchmarks and runs the packet path against the bare JCE work, one benchmark thread (= one core),
# then prints the summary table (README.md, "Performance"). Extra arguments go to JMH, e.g. -prof jfr.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
./mvnw -B -q -pl benchmarks -am package -DskipTests
result=benchmarks/target/result.json
"$JAVA_HOME/bin/java" -jar benchmarks/target/benchmarks.jar 'PacketPathBenchmark|BareCryptoBenchmark' \
  -f 1 -wi 3 -w 3s -i 5 -r 3s -t 1 -bm thrpt -tu s -prof gc -rf json -rff "$result" "$@"
echo
"$JAVA_HOME/bin/java" -cp benchmarks/target/benchmarks.jar net.l2sec.benchmarks.Summary "$result"
