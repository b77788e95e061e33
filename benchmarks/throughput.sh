#!/usr/bin/env bash
# Packet throughput of the concentrator jar through the whole path (issue 15): UDP sockets, ESP (NAT-T, UDP/4500),
# L2TP, PPP and the TUN device, both ways.
#
# What is measured, per ESP transform (ESPS: CBC aes128-sha1, then GCM aes128gcm16), ROUNDS times, the transforms
# alternating within each round:
#   - a fresh concentrator jar in a network namespace of its own (made and removed here; all traffic stays in it),
#     server.workers=WORKERS, pinned with taskset to CONC_CPUS;
#   - the loadgen pinned to LOADGEN_CPUS with K clients, each from an address of its own (127.1.0.x), each
#     streaming --stream PPS 1400: 1,400-octet IPv4 echo requests to the concentrator's PPP-side address
#     (10.96.0.1, the TUN device's), which the namespace's kernel answers back through the TUN device. So every
#     echo is handled twice by the concentrator: ESP in -> L2TP -> PPP -> TUN write, and TUN read -> PPP -> L2TP
#     -> ESP out. K x PPS is the offered rate; set it above what the pair can carry (the received rates then show
#     the capacity, the rest is dropped somewhere: see the UDP counters);
#   - once every client is up and WARM seconds have passed, a window of DURATION seconds: the loadgen's progress
#     lines in it (once a second) give pps and Gbit/s each way (out = client -> concentrator, in = the replies
#     received by the clients), averaged; the concentrator's CPU seconds over the window (/proc/PID/stat, user +
#     system, all threads) give pkts_per_conc_cpu_s = (pps_out + pps_in) x window / conc_cpu_s (both directions
#     counted, as the concentrator handles both); conc_cpu_share = conc_cpu_s / window (1.0 = one core busy);
#     lg_cpu_share the same for the loadgen: near the number of its CPUs means the generator, not the
#     concentrator, was the limit (it does the same ESP work as the concentrator, plus ICMP).
#   - JMH_PATH=1 (default): the JMH packet path (PacketPathBenchmark, inbound and outbound, one thread, pinned to
#     JMH_CPU, short: JMH_ITER x 2 s after 2 x 1 s warm-up) once per round and transform: packets/s per core each
#     way, and jmh_pair_pkts_per_cpu_s = 2 / (1/inbound + 1/outbound), the packets (both directions counted) a
#     core passes through the path when it carries an echo and its reply, without sockets and TUN. The ratio
#     pkts_per_conc_cpu_s / jmh_pair_pkts_per_cpu_s is then the share of the path's cost that is not socket,
#     TUN, event loop, GC and JIT overhead.
# Prints per run a THROUGHPUT line (and the loadgen's RESULT line), per round and transform a JMHPATH line, and at
# the end medians with min-max.
#
# MACHINE CAVEAT: on a 2-core machine the loadgen (which does as much ESP work as the concentrator) has one core
# and the concentrator one; whichever is slower sets the rate. Read lg_cpu_share before reading pps as capacity;
# pkts_per_conc_cpu_s is meaningful either way. On a busy host the figures drift: compare one invocation's runs.
#
# Needs root (namespace, TUN device). Settings (environment): ESPS ("aes128-sha1 aes128gcm16"), ROUNDS (3),
# CLIENTS (K, 8), PPS (per client, 20000), DURATION (s, 20), WARM (s, 3), WORKERS (1), CONC_CPUS (0),
# LOADGEN_CPUS (1), JMH_PATH (1), JMH_CPU (0), JMH_ITER (3), CONC_HEAP (1g), KEEP_WORK (1: keep the logs).
#   benchmarks/throughput.sh
#   ROUNDS=1 DURATION=5 PPS=5000 JMH_ITER=1 benchmarks/throughput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
[ "$(id -u)" = 0 ] || { echo "throughput.sh: needs root (network namespace, TUN device)" >&2; exit 2; }
ESPS=${ESPS:-aes128-sha1 aes128gcm16}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-8}
PPS=${PPS:-20000}
DURATION=${DURATION:-20}
WARM=${WARM:-3}
WORKERS=${WORKERS:-1}
CONC_CPUS=${CONC_CPUS:-0}
LOADGEN_CPUS=${LOADGEN_CPUS:-1}
JMH_PATH=${JMH_PATH:-1}
JMH_CPU=${JMH_CPU:-0}
JMH_ITER=${JMH_ITER:-3}
CONC_HEAP=${CONC_HEAP:-1g}
SETUP_MAX=60
PSK=throughput-psk-0123456789abcdef
conc_jar=${CONC_JAR:-concentrator/target/l2sec-concentrator.jar}
lg_jar=loadgen/target/l2sec-loadgen.jar
bench_jar=benchmarks/target/benchmarks.jar
if [ ! -f "$conc_jar" ] || [ ! -f "$lg_jar" ] || [ ! -f "$bench_jar" ]; then
  ./mvnw -B -q -o -pl concentrator,loadgen,benchmarks -am package -DskipTests
fi
(( CLIENTS >= 1 && CLIENTS <= 250 )) || { echo "throughput.sh: CLIENTS 1..250 (127.1.0.x)" >&2; exit 2; }

work=$(mktemp -d /tmp/l2sec-throughput.XXXXXX)
. benchmarks/conc-ns.sh
lg_pid=""
cleanup() {
  set +e
  [ -n "$lg_pid" ] && kill "$lg_pid" 2>/dev/null
  conc_stop
  [ "${KEEP_WORK:-0}" = 1 ] && echo "work dir: $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
results=$work/results
: > "$results"

# the JMH transform of a loadgen ESP name
jmh_transform() {
  case $1 in
    aes128-sha1) echo AES128_CBC_SHA1 ;;
    aes128gcm16) echo AES128_GCM16 ;;
    *) echo "" ;;
  esac
}

jmh_path() { # esp round
  local t csv=$work/jmh.csv
  t=$(jmh_transform "$1")
  [ -n "$t" ] || { echo "JMHPATH esp=$1 round=$2 (no JMH transform for it)"; return 0; }
  taskset -c "$JMH_CPU" "$JAVA_HOME/bin/java" -jar "$bench_jar" 'PacketPathBenchmark' -p "transform=$t" -f 1 -t 1 \
    -wi 2 -w 1s -i "$JMH_ITER" -r 2s -rf csv -rff "$csv" > "$work/jmh.out" 2>&1 \
    || { echo "PacketPathBenchmark failed:"; tail -20 "$work/jmh.out"; return 0; }
  # "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: transform"
  awk -F, -v esp="$1" -v r="$2" 'NR > 1 {gsub(/["\r]/, ""); if ($1 ~ /inbound$/) i = $5; if ($1 ~ /outbound$/) o = $5}
    END {if (i > 0 && o > 0) printf "JMHPATH esp=%s round=%s inbound_pps_per_core=%.0f outbound_pps_per_core=%.0f jmh_pair_pkts_per_cpu_s=%.0f\n", esp, r, i, o, 2 / (1 / i + 1 / o)}' "$csv" |
    tee -a "$results"
}

run_one() { # esp round
  local esp=$1 round=$2 out line n0 n1 c0 c1 l0 l1 t0 t1 up
  conc_start throughput "$WORKERS" "$CONC_CPUS"
  out=$work/run-$esp-$round.out
  : > "$out"
  # ends by itself: DURATION + WARM + 2 s after every client is up, or after SETUP_MAX + that at the latest
  ip netns exec "$conc_ns" taskset -c "$LOADGEN_CPUS" "$JAVA_HOME/bin/java" -XX:+UseParallelGC -Xmx1g -jar "$lg_jar" \
    --server 127.0.0.1 --psk "$PSK" --user alice --password password --proposal aes128-sha256-ecp256 --esp "$esp" \
    --clients "$CLIENTS" --rate 1000 --source-addresses "127.1.0.1-127.1.0.$CLIENTS" --stream "$PPS" 1400 \
    --setup-timeout 30 --until-up $(( WARM + DURATION + 2 )) --duration $(( SETUP_MAX + WARM + DURATION + 2 )) \
    > "$out" 2>&1 &
  lg_pid=$!
  up=0
  for _ in $(seq 1 $(( SETUP_MAX * 5 ))); do
    kill -0 "$lg_pid" 2>/dev/null || break
    grep -q "established=$CLIENTS " "$out" && { up=1; break; }
    sleep 0.2
  done
  if [ "$up" = 1 ]; then
    sleep "$WARM"
    n0=$(grep -c '^t=' "$out" || true)
    c0=$(cpu_of "$conc_pid"); l0=$(cpu_of "$lg_pid"); t0=$(date +%s.%N)
    sleep "$DURATION"
    c1=$(cpu_of "$conc_pid"); l1=$(cpu_of "$lg_pid"); t1=$(date +%s.%N)
    n1=$(grep -c '^t=' "$out" || true)
    # the progress lines that came within the window (each covers the second before it)
    grep '^t=' "$out" | sed -n "$(( n0 + 1 )),${n1}p" > "$work/window"
  fi
  wait "$lg_pid" || true; lg_pid=""
  local res; res=$(grep '^RESULT' "$out" | tail -1 || true)
  if [ "$up" = 1 ] && [ -s "$work/window" ]; then
    awk -v esp="$esp" -v r="$round" -v c0="$c0" -v c1="$c1" -v l0="$l0" -v l1="$l1" -v t0="$t0" -v t1="$t1" -v k="$CLIENTS" -v pps="$PPS" '
      { for (i = 1; i <= NF; i++) {
          if ($i ~ /^pps=/) { split(substr($i, 5), a, "/"); po += a[1]; pi += a[2] }
          if ($i ~ /^gbps=/) { split(substr($i, 6), b, "/"); go += b[1]; gi += b[2] } }
        n++ }
      END { w = t1 - t0; po /= n; pi /= n; go /= n; gi /= n; cs = c1 - c0; ls = l1 - l0
            printf "THROUGHPUT esp=%s round=%s clients=%d offered_pps=%d window_s=%.1f pps_out=%.0f pps_in=%.0f gbps_out=%.3f gbps_in=%.3f conc_cpu_s=%.2f conc_cpu_share=%.2f pkts_per_conc_cpu_s=%.0f lg_cpu_share=%.2f\n",
              esp, r, k, k * pps, w, po, pi, go, gi, cs, cs / w, (cs > 0 ? (po + pi) * w / cs : 0), ls / w }' "$work/window" |
      tee -a "$results"
  else
    echo "THROUGHPUT esp=$esp round=$round status=fail (not all $CLIENTS clients came up: $(grep '^t=' "$out" | tail -1))" | tee -a "$results"
  fi
  echo "  ${res:-RESULT missing: $(tail -3 "$out")}"
  echo "  udp: $(udp_drops)"
  conc_stop
}

echo "throughput: load=$(cut -d' ' -f1-3 /proc/loadavg) cpus=$(nproc) esps=[$ESPS] rounds=$ROUNDS clients=$CLIENTS" \
  "pps_per_client=$PPS size=1400 duration=${DURATION}s workers=$WORKERS conc_cpus=$CONC_CPUS loadgen_cpus=$LOADGEN_CPUS"
for r in $(seq 1 "$ROUNDS"); do
  list=($ESPS)
  if (( r % 2 == 0 )); then list=(); for e in $ESPS; do list=("$e" "${list[@]}"); done; fi
  for e in "${list[@]}"; do
    [ "$JMH_PATH" = 1 ] && jmh_path "$e" "$r"
    run_one "$e" "$r"
  done
done

echo "== summary (median, min-max over $ROUNDS rounds; load now $(cut -d' ' -f1-3 /proc/loadavg))"
grep '^THROUGHPUT' "$results" | grep -v status=fail > "$work/t" || true
grep '^JMHPATH' "$results" > "$work/j" || true
for v in pps_out pps_in gbps_out gbps_in conc_cpu_share pkts_per_conc_cpu_s lg_cpu_share; do
  spread "$work/t" esp "$v" | sed 's/^/SUMMARY /'
done
for v in inbound_pps_per_core outbound_pps_per_core jmh_pair_pkts_per_cpu_s; do spread "$work/j" esp "$v" | sed 's/^/SUMMARY jmh /'; done
for e in $ESPS; do
  a=$(median_of "$work/t" "esp=$e" pkts_per_conc_cpu_s)
  b=$(median_of "$work/j" "esp=$e" jmh_pair_pkts_per_cpu_s)
  awk -v e="$e" -v a="$a" -v b="$b" 'BEGIN {if (a != "" && b > 0) printf "RATIO esp=%s pkts_per_conc_cpu_s/jmh_pair_pkts_per_cpu_s=%.3f (%s / %s)\n", e, a / b, a, b}'
done
echo "throughput: done load=$(cut -d' ' -f1-3 /proc/loadavg)"
