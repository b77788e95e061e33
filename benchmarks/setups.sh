#!/usr/bin/env bash
# Connection-setup rate of the concentrator (issue 15): how many complete client setups per second the concentrator
# jar finishes, and how many per CPU-second it spends, against the bare Diffie-Hellman work of a responder.
#
# What is measured, per DH group (GROUPS) and number of workers (WORKERS_LIST, server.workers), ROUNDS times, the
# combinations alternating within each round (the order reversed every other round, so a drift of the host hits
# all alike):
#   - a fresh concentrator jar in a network namespace of its own (made and removed here; all traffic stays in it),
#     pinned with taskset to CONC_CPUS_1 for W=1 and CONC_CPUS_2 for W=2 (ipsec.crypto-workers at its default,
#     one per CPU it sees), IKE limits raised so that no limit refuses the storm;
#   - WARMUP clients first, WARMUP_RUNS times (JIT warm-up, not measured: on one core the JIT compiler threads share
#     the concentrator's CPU, and after a single warm-up of 1,000 clients C2 still took a third of the storm's CPU;
#     after 3 x 5,000 it takes a few percent, see jit_cpu_s), then the measured storm: the loadgen (pinned to
#     LOADGEN_CPUS, with --dh-reuse so that its own DH cost per setup is one agreement instead of two) starts
#     CLIENTS clients at an offered rate of 100,000/s with at most CONCURRENCY in setup at once, each from an
#     address of its own (127.1.x.y, so per-source limits of a real deployment never apply), proposal
#     aes128-sha256-GROUP; a setup is the whole thing: Main Mode (PSK, NAT-T), Quick Mode, L2TP tunnel and
#     session, PPP LCP, MS-CHAPv2, IPCP;
#   - setups_per_s: clients up / seconds from the first start to the last up (the loadgen's RESULT connects_per_s);
#     conc_cpu_s: the concentrator's CPU seconds (user + system, /proc/PID/stat) from just before the loadgen
#     starts until the loadgen's progress line shows every client up or failed (that line comes once a second,
#     so the window may run up to about a second past the last setup, with the concentrator then nearly idle);
#     setups_per_conc_cpu_s = clients up / conc_cpu_s; the same window split by the concentrator's threads
#     (/proc/PID/task): loop_cpu_s (worker event loops), crypto_cpu_s (ipsec.crypto-workers), jit_cpu_s (C1/C2
#     compiler threads), gc_cpu_s (VM thread, which runs the serial collector's pauses, and GC threads), other_cpu_s; failed = failed + incomplete clients; lg_cpu_s: the
#     loadgen's CPU seconds from its start (JVM start included) to that moment (near all_up_s + ~1 s times its
#     CPUs: the generator was the bottleneck);
#   - once per round, the bare DH a responder does per Main Mode (BareDhBenchmark: one key pair + one agreement,
#     JMH, one thread, pinned to DH_CPU): ops/s per core. setups_per_conc_cpu_s / bare_dh_ops_per_s is then the
#     share of the concentrator's CPU time per setup that its DH takes (1.0 would mean everything else is free).
# Prints per run a SETUPS line, per round a BAREDH line, and at the end medians with min-max per combination, the
# ratio to bare DH, and the ratio W=2 / W=1 (per round: min-max) of setups/s.
#
# MACHINE CAVEAT: on a 2-core machine a 2-worker concentrator (CONC_CPUS_2=0,1) shares CPU 1 with the load
# generator, so W=2 setups/s is capped by the generator and is no measure of 2-core scaling; setups per
# concentrator CPU-second stays meaningful. Use a machine with >= 3 cores (e.g. CONC_CPUS_2=0,1 LOADGEN_CPUS=2,3)
# for a scaling figure. On a busy host the figures drift: compare only runs of one invocation.
#
# Needs root (namespaces, TUN device). Settings (environment): DH_GROUPS or GROUPS ("ecp256 modp2048"; bash drops
# a GROUPS=... prefix, so use DH_GROUPS=... or env GROUPS=...), WORKERS_LIST ("1 2"),
# ROUNDS (3), CLIENTS (per group: CLIENTS_ECP256 15000, CLIENTS_MODP2048 5000; aim at ~10 s of setups),
# CONCURRENCY (default 60 per CPU of the concentrator: below its crypto queue, 64 per crypto worker, so that no
# Main Mode is dropped as crypto_busy and the rate is the concentrator's, not the clients' resend back-off; enough
# in setup at once to keep it busy; ike_drops in the SETUPS line shows what was dropped), WARMUP (5000 clients per warm-up run, 0: none), WARMUP_RUNS (3), WARMUP_SETUP (as SETUP; ike for SETUP=dh), SETUP_BOUND (s, 120: the loadgen's --duration),
# SETUP (full: a client is up with IPCP; ike: once its Main Mode is done, no Quick Mode, L2TP or PPP: IKE handshakes/s),
# CONC_CPUS_1 (0), CONC_CPUS_2 (0,1), LOADGEN_CPUS (1), DH_CPU (0), DH_WARMUP (10 x 1 s: pinned to one core, the JIT shares it, and 3 s left the EC code half compiled), DH_ITER (5 x 2 s),
# CONC_HEAP (1g), KEEP_WORK (1: keep the work directory with the logs).
#   benchmarks/setups.sh
#   ROUNDS=1 DH_GROUPS=ecp256 CLIENTS=2000 benchmarks/setups.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
[ "$(id -u)" = 0 ] || { echo "setups.sh: needs root (network namespace, TUN device)" >&2; exit 2; }
# bash keeps GROUPS for itself (a prefix assignment GROUPS=... in a bash command line is dropped): DH_GROUPS=...,
# or GROUPS from the environment (env GROUPS=... benchmarks/setups.sh)
GROUPS_LIST=${DH_GROUPS:-$(printenv GROUPS || true)}
GROUPS_LIST=${GROUPS_LIST:-ecp256 modp2048}
WORKERS_LIST=${WORKERS_LIST:-1 2}
ROUNDS=${ROUNDS:-3}
CONCURRENCY=${CONCURRENCY:-}
WARMUP=${WARMUP:-5000}
WARMUP_RUNS=${WARMUP_RUNS:-3}
# SETUP=dh clients never send message 5, so each leaves a half-open Main Mode that the concentrator resends message 4
# to (2, 6, 14, 30, 62 s after) and then expires: a dh warm-up would charge that to the measured storm. The warm-up
# then completes its Main Modes instead and hangs up with a Delete (the same handshake code, nothing left behind).
if [ "${SETUP:-full}" = dh ]; then WARMUP_SETUP=${WARMUP_SETUP:-ike}; else WARMUP_SETUP=${WARMUP_SETUP:-${SETUP:-full}}; fi
SETUP_BOUND=${SETUP_BOUND:-120}
CONC_CPUS_1=${CONC_CPUS_1:-0}
CONC_CPUS_2=${CONC_CPUS_2:-0,1}
LOADGEN_CPUS=${LOADGEN_CPUS:-1}
DH_CPU=${DH_CPU:-0}
DH_WARMUP=${DH_WARMUP:-10}
DH_ITER=${DH_ITER:-5}
CONC_HEAP=${CONC_HEAP:-1g}
PSK=setups-psk-0123456789abcdef
conc_jar=${CONC_JAR:-concentrator/target/l2sec-concentrator.jar}
lg_jar=loadgen/target/l2sec-loadgen.jar
bench_jar=benchmarks/target/benchmarks.jar
if [ ! -f "$conc_jar" ] || [ ! -f "$lg_jar" ] || [ ! -f "$bench_jar" ]; then
  ./mvnw -B -q -o -pl concentrator,loadgen,benchmarks -am package -DskipTests
fi
clients_for() {   # group -> clients
  local g=${1^^} v
  v="CLIENTS_$g"
  if [ -n "${CLIENTS:-}" ]; then echo "$CLIENTS"; elif [ -n "${!v:-}" ]; then echo "${!v}"
  elif [ "$g" = MODP2048 ]; then echo 5000; else echo 15000; fi
}
max_clients=0
for g in $GROUPS_LIST; do n=$(clients_for "$g"); (( n > max_clients )) && max_clients=$n; done
(( max_clients <= 65535 )) || { echo "setups.sh: at most 65,535 clients (one 127.1.x.y address each)" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $(( max_clients + WARMUP + 1000 )) ]; then
  echo "setups.sh: open files limit $(ulimit -n) is too small for $max_clients clients (ulimit -Hn)" >&2; exit 2
fi

work=$(mktemp -d /tmp/l2sec-setups.XXXXXX)
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

# last address of a range of N addresses from A.B.0.1: A.B.((N-1)/256).255 (the range may hold a few more)
range() { echo "$1.0.1-$1.$(( ($2 - 1) / 256 )).255"; }

# how many CPUs a taskset list names: 0,1 -> 2; 0-3,6 -> 5
cpu_count() { tr ',' '\n' <<<"$1" | awk -F- '{n += NF == 2 ? $2 - $1 + 1 : 1} END {print n}'; }
concurrency=0

# loadgen OUTFILE ARGS...: in the background, pinned, in our namespace; sets lg_pid (the JVM)
loadgen() {
  local out=$1; shift
  ip netns exec "$conc_ns" taskset -c "$LOADGEN_CPUS" "$JAVA_HOME/bin/java" -XX:+UseParallelGC -Xmx2g -jar "$lg_jar" \
    --server 127.0.0.1 --psk "$PSK" --user alice --password password --dh-reuse --lcp-echo 0 --keepalive 0 \
    --rate 100000 --concurrency "$concurrency" --setup-timeout 60 --duration "$SETUP_BOUND" --until-up 1 \
    "$@" \
    > "$out" 2>&1 &
  lg_pid=$!
}

bare_dh() { # round
  local csv=$work/baredh.csv groups_jmh g
  groups_jmh=$(for g in $GROUPS_LIST; do printf '%s,' "${g^^}"; done)
  taskset -c "$DH_CPU" "$JAVA_HOME/bin/java" -jar "$bench_jar" BareDhBenchmark -p "group=${groups_jmh%,}" -f 1 -t 1 \
    -wi "$DH_WARMUP" -w 1s -i "$DH_ITER" -r 2s -rf csv -rff "$csv" > "$work/baredh.out" 2>&1 \
    || { echo "BareDhBenchmark failed:"; tail -20 "$work/baredh.out"; return 0; }
  # "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: group"
  awk -F, -v r="$1" 'NR > 1 {gsub(/["\r]/, ""); printf "BAREDH group=%s round=%s ops_per_s=%.1f error=%.1f\n", tolower($8), r, $5, $6}' "$csv" |
    tee -a "$results"
}

run_one() { # group workers round
  local group=$1 w=$2 round=$3 cpus n out c0 t0 l0 c1="" t1="" l1="" line started est failed res
  [ "$w" = 1 ] && cpus=$CONC_CPUS_1 || cpus=$CONC_CPUS_2
  [ "$w" -gt 2 ] && cpus=${CONC_CPUS_W:-$CONC_CPUS_2}
  n=$(clients_for "$group")
  concurrency=${CONCURRENCY:-$(( 60 * $(cpu_count "$cpus") ))}
  conc_start setups "$w" "$cpus"
  local wr
  for (( wr = 1; WARMUP > 0 && wr <= WARMUP_RUNS; wr++ )); do
    loadgen "$work/warmup.out" --setup "$WARMUP_SETUP" --clients "$WARMUP" --source-addresses "$(range 127.3 "$WARMUP")" \
      --proposal "aes128-sha256-$group"
    wait "$lg_pid" || true; lg_pid=""
    sleep 3   # the warm-up's hang-ups
  done
  out=$work/run-$group-$w-$round.out
  : > "$out"
  c0=$(cpu_of "$conc_pid"); t0=$(threads_cpu_of "$conc_pid")
  loadgen "$out" --setup "${SETUP:-full}" --clients "$n" --source-addresses "$(range 127.1 "$n")" --proposal "aes128-sha256-$group"
  l0=0
  # bounded: the loadgen ends by itself (--duration SETUP_BOUND at the latest, then its hang-ups)
  while kill -0 "$lg_pid" 2>/dev/null; do
    sleep 0.2
    line=$(grep '^t=' "$out" | tail -1 || true)
    [ -n "$line" ] || continue
    started=$(field started "$line"); est=$(field established "$line"); failed=$(field failed "$line")
    if [ "$started" = "$n" ] && (( est + failed >= n )); then
      c1=$(cpu_of "$conc_pid"); t1=$(threads_cpu_of "$conc_pid"); l1=$(cpu_of "$lg_pid"); break
    fi
  done
  wait "$lg_pid" || true; lg_pid=""
  if [ -z "$c1" ]; then   # never all up or failed: the whole run, hang-ups included
    c1=$(cpu_of "$conc_pid"); t1=$(threads_cpu_of "$conc_pid")
  fi
  res=$(grep '^RESULT' "$out" | tail -1 || true)
  local up all_up cps fl inc conc_s drops
  up=$(field connected "$res"); all_up=$(field all_up_s "$res"); cps=$(field connects_per_s "$res")
  fl=$(field failed "$res"); inc=$(field incomplete "$res")
  conc_s=$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.2f", b - a}')
  # IKE messages the concentrator dropped, by reason (crypto_busy, ...), warm-up included
  drops=$(ip netns exec "$conc_ns" curl -s 127.0.0.1:9117/metrics | sed -n 's/^l2sec_ike_packets_dropped_total{.*reason="\([a-z_]*\)".*} \([0-9.E+]*\)$/\1:\2/p' | tr '\n' ',' || true)
  printf 'SETUPS setup=%s group=%s workers=%s round=%s clients=%s up=%s all_up_s=%s setups_per_s=%s conc_cpu_s=%s setups_per_conc_cpu_s=%s %s lg_cpu_s=%s failed=%s conc_cpus=%s concurrency=%s ike_drops=%s\n' \
    "${SETUP:-full}" "$group" "$w" "$round" "$n" "${up:-0}" "${all_up:-?}" "${cps:-0}" "$conc_s" \
    "$(awk -v u="${up:-0}" -v c="$conc_s" 'BEGIN {printf "%.1f", (c > 0 ? u / c : 0)}')" \
    "$(threads_cpu_delta "$t0" "$t1")" "${l1:-?}" \
    "$(( ${fl:-0} + ${inc:-0} ))" "$cpus" "$concurrency" "${drops:-none}" | tee -a "$results"
  echo "  ${res:-RESULT missing: $(tail -3 "$out")}"
  echo "  udp: $(udp_drops)  failures: $(field failures "$res")"
  conc_stop
}

echo "setups: load=$(cut -d' ' -f1-3 /proc/loadavg) cpus=$(nproc) groups=[$GROUPS_LIST] workers=[$WORKERS_LIST] rounds=$ROUNDS" \
  "conc_cpus=W1:$CONC_CPUS_1,W2:$CONC_CPUS_2 loadgen_cpus=$LOADGEN_CPUS dh_cpu=$DH_CPU warmup=$WARMUP concurrency=${CONCURRENCY:-60/cpu}"
combos=()
for g in $GROUPS_LIST; do for w in $WORKERS_LIST; do combos+=("$g $w"); done; done
for r in $(seq 1 "$ROUNDS"); do
  bare_dh "$r"
  order=("${combos[@]}")
  if (( r % 2 == 0 )); then order=(); for (( i = ${#combos[@]} - 1; i >= 0; i-- )); do order+=("${combos[i]}"); done; fi
  for c in "${order[@]}"; do run_one ${c% *} ${c#* } "$r"; done
done

echo "== summary (median, min-max over $ROUNDS rounds; load now $(cut -d' ' -f1-3 /proc/loadavg))"
grep '^SETUPS' "$results" > "$work/s" || true
grep '^BAREDH' "$results" > "$work/d" || true
for v in setups_per_s conc_cpu_s setups_per_conc_cpu_s failed; do spread "$work/s" "group workers" "$v" | sed 's/^/SUMMARY /'; done
spread "$work/d" "group" ops_per_s | sed 's/^/SUMMARY bare_dh /'
first_w=${WORKERS_LIST%% *}
for g in $GROUPS_LIST; do
  dh=$(median_of "$work/d" "group=$g" ops_per_s)
  for w in $WORKERS_LIST; do
    s=$(median_of "$work/s" "group=$g" "workers=$w" setups_per_conc_cpu_s)
    awk -v g="$g" -v w="$w" -v s="$s" -v d="$dh" 'BEGIN {if (s != "" && d > 0) printf "RATIO group=%s workers=%s setups_per_conc_cpu_s/bare_dh_ops_per_s=%.3f (%s / %s)\n", g, w, s / d, s, d}'
  done
  for w in $WORKERS_LIST; do
    [ "$w" = "$first_w" ] && continue
    a=$(median_of "$work/s" "group=$g" "workers=$first_w" setups_per_s)
    b=$(median_of "$work/s" "group=$g" "workers=$w" setups_per_s)
    # per round, then min-max of those
    per=$(for r in $(seq 1 "$ROUNDS"); do
      x=$(median_of "$work/s" "group=$g" "workers=$first_w" "round=$r" setups_per_s)
      y=$(median_of "$work/s" "group=$g" "workers=$w" "round=$r" setups_per_s)
      awk -v x="$x" -v y="$y" 'BEGIN {if (x > 0 && y != "") print y / x}'
    done | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {if (NR) printf "%.3f-%.3f", lo, hi}')
    awk -v g="$g" -v w="$w" -v f="$first_w" -v a="$a" -v b="$b" -v per="$per" \
      'BEGIN {if (a > 0) printf "RATIO group=%s setups_per_s W=%s/W=%s=%.3f (medians %s / %s; per round %s)\n", g, w, f, b / a, b, a, per}'
  done
done
echo "setups: done load=$(cut -d' ' -f1-3 /proc/loadavg)"
