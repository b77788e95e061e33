#!/usr/bin/env bash
# Scale test (issue 15): the concentrator jar in a network namespace of its own, pinned to one core, against the load
# generator pinned to another, with every client behind a NAT of its own (a 127.x source address each).
#   (a) CLIENTS_A clients started at once: are all up, time until the last is up, setup p50/p99;
#   (b) CLIENTS_B established idle sessions held with LCP echo and L2TP HELLO running: live heap after a full GC
#       (GC.class_histogram) with them minus with none, per session and in total, and the RSS.
# Needs root (namespace, TUN device). Prints the loadgen progress, its RESULT lines and HEAP lines; cleans up.
#   benchmarks/scale.sh                       # both, 1,000 and 10,000 clients (about 4 minutes on 2 cores)
#   CLIENTS_B=2000 PHASES=a,b benchmarks/scale.sh
# Settings (environment): CLIENTS_A (1000), CLIENTS_B (10000), RATE_B (new clients/s in (b), 250), HOLD_B (s held
# once all are up, 40: covers several LCP echoes and HELLOs at INTERVAL), INTERVAL (LCP echo and HELLO, 10s),
# SETTLE (s between (a) and (b), 3), SETTLE_AFTER (s after (b) before the leak check, 40),
# CONC_CPU (0), LOADGEN_CPU (1), CONC_HEAP (-Xmx of the concentrator, 512m), PROPOSAL (aes256-sha1-modp2048),
# PHASES (a,b), WORKERS (server.workers, 1), CONC_JAR (the concentrator jar, default the one built here).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
[ "$(id -u)" = 0 ] || { echo "scale.sh: needs root (network namespace, TUN device)" >&2; exit 2; }
CLIENTS_A=${CLIENTS_A:-1000}
CLIENTS_B=${CLIENTS_B:-10000}
RATE_B=${RATE_B:-250}
HOLD_B=${HOLD_B:-40}
INTERVAL=${INTERVAL:-10}
CONC_CPU=${CONC_CPU:-0}
LOADGEN_CPU=${LOADGEN_CPU:-1}
CONC_HEAP=${CONC_HEAP:-512m}
PROPOSAL=${PROPOSAL:-aes256-sha1-modp2048}
PHASES=${PHASES:-a,b}
WORKERS=${WORKERS:-1}
PSK=scale-psk-0123456789abcdef
conc_jar=${CONC_JAR:-concentrator/target/l2sec-concentrator.jar}
lg_jar=loadgen/target/l2sec-loadgen.jar
if [ ! -f "$conc_jar" ] || [ ! -f "$lg_jar" ]; then
  ./mvnw -B -q -o -pl concentrator,loadgen -am package -DskipTests
fi
# one UDP socket per simulated client: raise the soft limit as far as the hard one allows
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $(( CLIENTS_B + 1000 )) ]; then
  echo "scale.sh: open files limit $(ulimit -n) is too small for $CLIENTS_B clients (ulimit -Hn)" >&2; exit 2
fi

ns=l2sec-scale-$$
work=$(mktemp -d /tmp/l2sec-scale.XXXXXX)
cleanup() {
  set +e
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
  for _ in $(seq 1 30); do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.5; done
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  [ "${KEEP_WORK:-0}" = 1 ] && echo "work dir: $work" || rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up

umask 077
printf 'alice nt:8846F7EAEE8FB117AD06BDD830B7586C\n' > "$work/users"   # password "password"
printf '%s\n' "$PSK" > "$work/ipsec.psk"
cat > "$work/c.yaml" <<EOF
server:
  name: l2sec-scale
  workers: $WORKERS
l2tp:
  hello-interval: ${INTERVAL}s
  max-tunnels: 20000
tunnel-interface:
  name: l2sec0
  address: 10.96.0.1/12
pools:
  - name: default
    range: 10.96.1.1-10.96.255.254
ppp:
  echo-interval: ${INTERVAL}s
aaa:
  local:
    users-file: $work/users
ipsec:
  psk-file: $work/ipsec.psk
  limits:
    half-open: 4096
metrics:
  listen: 127.0.0.1:9117
admin:
  enabled: false
EOF

echo "scale: ns=$ns load=$(cut -d' ' -f1-3 /proc/loadavg) cpus=$(nproc) workers=$WORKERS concentrator_cpu=$CONC_CPU loadgen_cpu=$LOADGEN_CPU heap=$CONC_HEAP"
# shellcheck disable=SC2086 # CONC_JAVA_OPTS: extra JVM options, split on spaces
ip netns exec "$ns" taskset -c "$CONC_CPU" "$JAVA_HOME/bin/java" "-Xmx$CONC_HEAP" ${CONC_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED \
  -jar "$conc_jar" run "$work/c.yaml" > "$work/concentrator.log" 2>&1 &
for _ in $(seq 1 120); do
  grep -q "concentrator ready" "$work/concentrator.log" 2>/dev/null && break
  sleep 0.5
done
grep -q "concentrator ready" "$work/concentrator.log" || { echo "concentrator did not start:"; cat "$work/concentrator.log"; exit 1; }
pid=""
for p in $(ip netns pids "$ns"); do
  tr '\0' ' ' < "/proc/$p/cmdline" | grep -q "l2sec-concentrator.jar" && pid=$p
done
[ -n "$pid" ] || { echo "no concentrator process"; exit 1; }

# Live heap after a full GC (class_histogram collects first), in bytes, and the RSS in KiB.
# The histogram is kept as $work/histo-NAME.txt (KEEP_WORK=1 keeps the directory).
heap() {
  local live rss
  "$JAVA_HOME/bin/jcmd" "$pid" GC.class_histogram > "$work/histo-$1.txt"
  # minus the filler arrays the serial collector leaves in place of dead objects it does not compact away
  live=$(awk '/^Total/ {t = $3} /jdk.internal.vm.FillerElement/ {f += $3} END {print t - f}' "$work/histo-$1.txt")
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  echo "$live $rss"
}

# CPU seconds the concentrator used so far (user + system)
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$pid/stat"; }

# the loadgen's own CPU time and peak RSS come on stderr as a LOADGEN line
loadgen() {
  /usr/bin/time -f "LOADGEN cpu_s=%U+%S wall_s=%e max_rss_mib=%M(KiB)" ip netns exec "$ns" taskset -c "$LOADGEN_CPU" "$JAVA_HOME/bin/java" -XX:+UseParallelGC -Xmx2g -jar "$lg_jar" \
    --server 127.0.0.1 --psk "$PSK" --user alice --password password --proposal "$PROPOSAL" --threads 1 "$@"
}

read -r live0 rss0 < <(heap cold)
echo "HEAP sessions=0 (cold) live_bytes=$live0 rss_kib=$rss0"

if [[ ",$PHASES," == *,a,* ]]; then
  # every client its own NAT: 127.1.x.y, so the per-source limits of a real deployment hold unchanged
  c0=$(cpu)
  loadgen --clients "$CLIENTS_A" --rate 1000000 --source-addresses "127.1.0.1-127.1.$(( (CLIENTS_A - 1) / 256 )).255" \
    --setup-timeout 150 --duration 180 --until-up 2 --pid "$pid" 2>&1 | tee "$work/a.out" || true
  echo "CPU phase=a concentrator_cpu_s=$(awk -v a="$c0" -v b="$(cpu)" 'BEGIN {printf "%.1f", b - a}') (setup, hold and hang-up)"
  grep '^RESULT' "$work/a.out" | sed 's/^RESULT/RESULT phase=a/' || echo "RESULT phase=a status=fail (no RESULT line)"
  sleep "${SETTLE:-3}"
fi

if [[ ",$PHASES," == *,b,* ]]; then
  read -r live1 rss1 < <(heap warm)
  echo "HEAP sessions=0 (warm) live_bytes=$live1 rss_kib=$rss1"
  c0=$(cpu)
  ramp=$(( CLIENTS_B / RATE_B * 3 + 60 ))
  loadgen --clients "$CLIENTS_B" --rate "$RATE_B" --concurrency 1000 \
    --source-addresses "127.2.0.1-127.2.$(( (CLIENTS_B - 1) / 256 )).255" --setup-timeout 120 --lcp-echo "$INTERVAL" \
    --duration $(( ramp + HOLD_B + 30 )) --until-up "$HOLD_B" --pid "$pid" > "$work/b.out" 2>&1 &
  lg=$!
  touch "$work/b.out"
  # bounded: the loadgen ends by itself at --duration at the latest
  n=0
  while kill -0 "$lg" 2>/dev/null && ! grep -q "established=$CLIENTS_B " "$work/b.out"; do
    sleep 1
    if (( ++n % 5 == 0 )); then tail -1 "$work/b.out"; fi
  done
  if grep -q "established=$CLIENTS_B " "$work/b.out"; then
    c1=$(cpu)
    echo "CPU phase=b concentrator_cpu_s=$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.1f", b - a}') (until all up)"
    sleep $(( HOLD_B / 2 ))   # idle, with LCP echoes and HELLOs going both ways
    echo "CPU phase=b idle concentrator_cpu_share=$(awk -v a="$c1" -v b="$(cpu)" -v t=$(( HOLD_B / 2 )) 'BEGIN {printf "%.3f", (b - a) / t}') ($CLIENTS_B sessions, LCP echo and HELLO every ${INTERVAL}s)"
    grep '^t=' "$work/b.out" | tail -1
    read -r live2 rss2 < <(heap sessions)
    echo "HEAP sessions=$CLIENTS_B live_bytes=$live2 rss_kib=$rss2"
    echo "HEAP per_session_bytes=$(( (live2 - live1) / CLIENTS_B )) total_sessions_mib=$(( (live2 - live1) / 1048576 ))" \
      "live_total_mib=$(( live2 / 1048576 )) rss_mib=$(( rss2 / 1024 )) (rss with none: $(( rss1 / 1024 )) MiB) xmx=$CONC_HEAP"
    # where the bytes per session go: the classes that grew most
    awk -v n="$CLIENTS_B" 'FNR == NR && $1 ~ /:$/ {b[$4] = $3; next} $1 ~ /:$/ && $4 !~ /FillerElement/ {d = $3 - b[$4]; if (d > 0) printf "%d %s\n", d / n, $4}' \
      "$work/histo-warm.txt" "$work/histo-sessions.txt" | sort -rn |
      awk 'NR <= 12 {printf "HEAP class %s bytes_per_session=%s\n", $2, $1}'   # reads all: no SIGPIPE under pipefail
  fi
  wait "$lg" || true
  sleep "${SETTLE_AFTER:-40}"   # the hang-ups of CLIENTS_B clients, and closed tunnels linger (RFC 2661 5.7)
  read -r live3 rss3 < <(heap after)
  echo "HEAP sessions=0 (after (b) hung up, ${SETTLE_AFTER:-40} s) live_bytes=$live3 rss_kib=$rss3 retained_bytes_per_session=$(( (live3 - live1) / CLIENTS_B ))"
  grep '^LOADGEN' "$work/b.out" || true
  grep '^RESULT' "$work/b.out" | sed 's/^RESULT/RESULT phase=b/' || echo "RESULT phase=b status=fail (no RESULT line)"
fi
# datagrams the kernel dropped because a socket's receive queue was full (the concentrator's or a client's)
echo "UDP namespace counters: $(ip netns exec "$ns" awk '/^Udp:/ {if (!h) {split($0, k); h = 1} else {for (i = 2; i <= NF; i++) if (k[i] ~ /InDatagrams|RcvbufErrors|InErrors/) printf "%s=%s ", k[i], $i}}' /proc/net/snmp)"
echo "concentrator log: $(grep -c . "$work/concentrator.log") lines, $(grep -ci 'error\|exception' "$work/concentrator.log" || true) with error/exception"
grep -i 'exception\|outofmemory' "$work/concentrator.log" | sort | uniq -c | sort -rn | head -5 || true
ip netns exec "$ns" curl -s http://127.0.0.1:9117/metrics | grep -E '^l2sec_listen_handoffs_total' | sed 's/^/METRIC /' || true
echo "scale: done load=$(cut -d' ' -f1-3 /proc/loadavg)"
