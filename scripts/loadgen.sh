#!/usr/bin/env bash
# Runs the load generator: N simulated L2TP/IPsec clients against a server (ours or any other), e.g.
#   scripts/loadgen.sh --server 127.0.0.1 --psk "$(cat conf/ipsec.psk)" --user demo --password PW --clients 100 \
#       --rate 20 --ping peer --duration 60 --pid "$(pgrep -f l2sec-concentrator.jar)"
# Builds the jar first when it is missing (LOADGEN_BUILD=1 forces a rebuild). All options: --help.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
jar=loadgen/target/l2sec-loadgen.jar
if [ ! -f "$jar" ] || [ "${LOADGEN_BUILD:-0}" = 1 ]; then
  ./mvnw -B -q -pl loadgen -am package -DskipTests
fi
exec "$JAVA_HOME/bin/java" -XX:+UseParallelGC -jar "$jar" "$@"
