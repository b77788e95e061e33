#!/usr/bin/env bash
# Established clients' ping RTT while an ECP256 connect storm hits the concentrator (issue 15, item 3: DH off the
# event loop). Root only: each round runs in a network namespace of its own, like loadgen's LoadgenConcentratorIT.
#
#   benchmarks/dh-storm.sh ROUNDS LABEL=CONCENTRATOR_JAR [LABEL=CONCENTRATOR_JAR ...]
#   e.g. benchmarks/dh-storm.sh 3 before=/tmp/dh-before/l2sec-concentrator.jar after=concentrator/target/l2sec-concentrator.jar
#
# The jars alternate within each round (before, after, before, after, ...) so a drift of the host hits both alike.
# The concentrator is pinned to CPU 0 (taskset -c 0: the JVM then sees one processor, so ipsec.crypto-workers
# defaults to 1), both load generators to CPU 1. Per round and jar:
#   idle:  one probe client (MODP2048), pinging the concentrator's tunnel address every 20 ms for IDLE_S seconds;
#   storm: the probe again, and after 2 s a storm of ECP256 clients (STORM_RATE/s offered, at most STORM_CONC in
#          setup at once, from 100 source addresses) for STORM_S seconds; each storm client goes through IKE, Quick
#          Mode, L2TP, PPP (MS-CHAPv2) and IPCP and stays up until the end.
# Prints one line per run: label round idle_p50 idle_p99 storm_p50 storm_p99 (ms) storm setups/s, the IKE drop
# counters by reason (crypto_busy, keying_in_progress, ...), the concentrator's own share of the probe's round trips
# idle and in the storm (server_idle_/server_storm_ p50/p99, from a capture of the probe's packets; see capture
# below), and the probe's and storm's RESULT lines. LOADGEN_JAR (default loadgen/target/l2sec-loadgen.jar) is the generator for every run;
# WARMUP_S=N runs the storm for N s first, unmeasured (a warm JIT, as in a concentrator that has run a while).
# CONC_JAVA_OPTS are added to the concentrator's JVM options (e.g. -Xlog:gc to see its pauses), and OPTS_<label> to
# those of one label's runs only (the same jar under two labels compares JVM settings:
# OPTS_zgc=-XX:+UseZGC benchmarks/dh-storm.sh 3 serial=J zgc=J); KEEP_PCAP=DIR keeps
# the probe's captures there.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
rounds=${1:?rounds}; shift
loadgen=${LOADGEN_JAR:-loadgen/target/l2sec-loadgen.jar}
IDLE_S=${IDLE_S:-10} STORM_S=${STORM_S:-15} STORM_RATE=${STORM_RATE:-200} STORM_CONC=${STORM_CONC:-100} WARMUP_S=${WARMUP_S:-0}
psk=bench-psk-0123456789abcdef
java="$JAVA_HOME/bin/java"

# The probe's ESP on the namespace's loopback (its own source address), captured while it runs: the concentrator's
# share of each ping's round trip is the time from the probe's ESP packet to the concentrator's next ESP packet back
# to it (decrypt, L2TP, PPP, TUN, the kernel's echo reply, and back), without the load generator's own delays.
PROBE_ADDR=127.0.0.250
capture() { # ns file -> pid of a dumpcap writing the probe's UDP/4500 packets to file
  ip netns exec "$1" dumpcap -q -i lo -f "udp port 4500 and host $PROBE_ADDR" -w "$2" >/dev/null 2>&1 &
  echo $!
  sleep 1
}
server_rtt() { # pcap -> p50_ms=... p99_ms=... n=... (ping-sized packets after the probe's first 1.5 s)
  tshark -r "$1" -T fields -e frame.time_epoch -e ip.src -e frame.len 2>/dev/null | python3 -c '
import sys, collections
rows = [l.split() for l in sys.stdin if len(l.split()) == 3]
if not rows: print("p50_ms=- p99_ms=- n=0"); sys.exit()
# the pings are the probe'"'"'s most frequent size (keepalives, DPD, LCP and L2TP control differ in size)
size = collections.Counter(n for _, s, n in rows if s == "'"$PROBE_ADDR"'").most_common(1)[0][0]
t0 = float(rows[0][0]); waiting = []; d = []
for t, src, n in rows:
    t = float(t)
    if n != size: continue
    waiting = [w for w in waiting if t - w < 1.0]
    if src == "'"$PROBE_ADDR"'":
        waiting.append(t)
    elif waiting:
        sent = waiting.pop(0)
        if sent - t0 > 1.5: d.append((t - sent) * 1000)
d.sort()
q = lambda p: d[min(len(d) - 1, int(p * len(d)))] if d else float("nan")
print("p50_ms=%.2f p99_ms=%.2f n=%d" % (q(0.5), q(0.99), len(d)))'
}

run_one() { # label jar round
  local label=$1 jar=$2 round=$3 ns="l2sec-dh-$$" work
  work=$(mktemp -d /tmp/l2sec-dh.XXXXXX)
  ip netns add "$ns"; ip netns exec "$ns" ip link set lo up
  printf 'alice nt:8846F7EAEE8FB117AD06BDD830B7586C\n' > "$work/users"; printf '%s\n' "$psk" > "$work/ipsec.psk"
  cat > "$work/c.yaml" <<YAML
server:
  name: l2sec-dh-bench
l2tp:
  max-tunnels: 20000
  require-ipsec: true
tunnel-interface:
  name: l2sec0
  address: 10.99.0.1/16
pools:
  - name: default
    range: 10.99.0.10-10.99.250.250
aaa:
  local:
    users-file: $work/users
ipsec:
  psk-file: $work/ipsec.psk
  limits:
    new-per-source-per-second: 100000
metrics:
  listen: 127.0.0.1:9117
YAML
  chmod 600 "$work"/*
  local opts_var="OPTS_${label//[^A-Za-z0-9_]/_}"
  # shellcheck disable=SC2086 # JVM options, split on spaces
  ip netns exec "$ns" taskset -c 0 "$java" --enable-native-access=ALL-UNNAMED ${CONC_JAVA_OPTS:-} ${!opts_var:-} -jar "$jar" run "$work/c.yaml" \
      > "$work/concentrator.log" 2>&1 &
  for _ in $(seq 120); do grep -q "concentrator ready" "$work/concentrator.log" && break; sleep 0.5; done
  grep -q "concentrator ready" "$work/concentrator.log" || { tail -20 "$work/concentrator.log"; exit 1; }
  lg() { ip netns exec "$ns" taskset -c 1 "$java" -XX:+UseParallelGC -jar "$loadgen" --server 127.0.0.1 --psk "$psk" \
      --user alice --password password "$@" 2>&1 | grep '^RESULT' || true; }
  local idle storm probe cap
  if [ "$WARMUP_S" -gt 0 ]; then
    # the same storm once before anything is measured, its clients hung up at its end: the JIT has compiled the
    # handshake paths, as in a concentrator that has run for a while, so the storm measured below is not its first
    lg --clients 100000 --rate "$STORM_RATE" --concurrency "$STORM_CONC" --dh-reuse --proposal aes128-sha256-ecp256 \
        --source-addresses 127.0.0.2-127.0.0.101 --duration "$WARMUP_S" --setup-timeout 30 > /dev/null
    sleep 3
  fi
  cap=$(capture "$ns" "$work/idle.pcap")
  idle=$(lg --clients 1 --ping peer --ping-interval 0.02 --duration "$IDLE_S" --source-addresses "$PROBE_ADDR")
  kill "$cap"; wait "$cap" 2>/dev/null || true
  cap=$(capture "$ns" "$work/storm.pcap")
  lg --clients 1 --ping peer --ping-interval 0.02 --duration $((STORM_S + 3)) --source-addresses "$PROBE_ADDR" > "$work/probe" &
  local probe_pid=$!
  sleep 2
  storm=$(lg --clients 100000 --rate "$STORM_RATE" --concurrency "$STORM_CONC" --dh-reuse --proposal aes128-sha256-ecp256 \
      --source-addresses 127.0.0.2-127.0.0.101 --duration "$STORM_S" --setup-timeout 30)
  wait "$probe_pid" || true
  kill "$cap"; wait "$cap" 2>/dev/null || true
  probe=$(cat "$work/probe")
  local srv_idle srv_storm
  srv_idle=$(server_rtt "$work/idle.pcap"); srv_storm=$(server_rtt "$work/storm.pcap")
  local drops
  drops=$(ip netns exec "$ns" curl -s 127.0.0.1:9117/metrics | sed -n 's/^l2sec_ike_packets_dropped_total{.*reason="\([a-z_]*\)".*} \([0-9.E+]*\)$/\1:\2/p' | tr '\n' ',' || true)
  for p in $(ip netns pids "$ns"); do kill "$p" 2>/dev/null || true; done
  sleep 2
  for p in $(ip netns pids "$ns"); do kill -9 "$p" 2>/dev/null || true; done
  ip netns del "$ns"
  f() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
  printf 'RUN label=%s round=%s idle_p50_ms=%s idle_p99_ms=%s storm_p50_ms=%s storm_p99_ms=%s storm_setups_per_s=%s storm_connected=%s storm_failures=%s ike_drops=%s server_idle_%s server_storm_%s\n' \
      "$label" "$round" "$(f rtt_p50_ms "$idle")" "$(f rtt_p99_ms "$idle")" "$(f rtt_p50_ms "$probe")" \
      "$(f rtt_p99_ms "$probe")" "$(f connects_per_s "$storm")" "$(f connected "$storm")" "$(f failures "$storm")" "${drops:-none}" \
      "$srv_idle" "$srv_storm"
  echo "  idle:  $idle"; echo "  probe: $probe"; echo "  storm: $storm"
  if [ -n "${KEEP_PCAP:-}" ]; then for f in idle storm; do cp "$work/$f.pcap" "$KEEP_PCAP/$label-$round-$f.pcap"; done; fi
  rm -rf "$work"
}

for r in $(seq "$rounds"); do
  for lj in "$@"; do run_one "${lj%%=*}" "${lj#*=}" "$r"; done
done
