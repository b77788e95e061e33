#!/usr/bin/env bash
# Connect/disconnect churn soak (issue 15): the concentrator jar in a network namespace of its own, pinned to one
# core, with RADIUS accounting to a real FreeRADIUS on loopback in the same namespace, against the load generator
# pinned to another core. Clients arrive at RATE per second for DURATION seconds, each from a 127.x source address
# (SOURCES of them, used in turn, so addresses come back as a NAT's would), and each hangs up HOLD seconds after it
# came up (LCP Terminate, CDN, StopCCN, IKE Deletes): about RATE x HOLD sessions are up at a time while
# RATE x DURATION connect and disconnect in all. Authentication is local (users file); accounting goes to
# FreeRADIUS, whose detail module writes every record to a file.
#   Every 60 s (and at start and end) one SOAK line: the concentrator's live heap after a full GC
#   (GC.class_histogram), its RSS, and its established sessions (l2sec_ppp_sessions_active from /metrics).
#   At the end, SETTLE seconds after the last client hung up, CHURN lines compare: sessions the loadgen saw come up,
#   accounting Starts and Stops in the detail file (distinct Acct-Session-Ids), sessions still established, the
#   accounting spool, the live heap of the first sample after WARMUP with the last one, and (PARANOID=1) the
#   Netty "LEAK:" lines in the concentrator's log.
# Exit status 1 when Stops != Starts, Starts != connected, any session remains, a client failed or did not hang up
# itself, or (PARANOID=1) any LEAK line; 0 otherwise. Needs root (namespace, TUN device). Cleans up.
#   benchmarks/churn.sh                                   # the 30-minute soak: 36,000 sessions, 200 up at a time
#   DURATION=120 RATE=20 HOLD=5 benchmarks/churn.sh       # a short run
#   PARANOID=1 DURATION=60 RATE=20 HOLD=5 benchmarks/churn.sh
# Settings (environment): DURATION (s of arrivals, 1800), RATE (new clients/s, 20), HOLD (s each session lasts, 10),
# PARANOID (0/1: -Dio.netty.leakDetection.level=PARANOID in the concentrator, 0), CONC_HEAP (-Xmx, 256m),
# SOURCES (127.x source addresses used in turn, 1000), SAMPLE (s between SOAK lines, 60), WARMUP (s before the
# sample the end is compared with, 60), SETTLE (s after the last hang-up, 30), CONC_CPU (0), LOADGEN_CPU (1),
# PROPOSAL (aes256-sha1-modp2048), KEEP_WORK (1: keep the work dir with the logs and the detail file), WORKERS
# (server.workers, 2: clients spread over two worker loops, whose registry, pools and accounting are shared).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
[ "$(id -u)" = 0 ] || { echo "churn.sh: needs root (network namespace, TUN device)" >&2; exit 2; }
[ -x /usr/sbin/freeradius ] || { echo "churn.sh: needs FreeRADIUS 3 (/usr/sbin/freeradius, Debian package freeradius)" >&2; exit 2; }
DURATION=${DURATION:-1800}
RATE=${RATE:-20}
HOLD=${HOLD:-10}
PARANOID=${PARANOID:-0}
CONC_HEAP=${CONC_HEAP:-256m}
SOURCES=${SOURCES:-1000}
SAMPLE=${SAMPLE:-60}
WARMUP=${WARMUP:-60}
SETTLE=${SETTLE:-30}
CONC_CPU=${CONC_CPU:-0}
WORKERS=${WORKERS:-2}
LOADGEN_CPU=${LOADGEN_CPU:-1}
PROPOSAL=${PROPOSAL:-aes256-sha1-modp2048}
PSK=churn-psk-0123456789abcdef
RADIUS_SECRET=churn-radius-secret-0123456789
SETUP_TIMEOUT=60
clients=$(awk -v r="$RATE" -v d="$DURATION" 'BEGIN {printf "%d", r * d}')
conc_jar=concentrator/target/l2sec-concentrator.jar
lg_jar=loadgen/target/l2sec-loadgen.jar
if [ ! -f "$conc_jar" ] || [ ! -f "$lg_jar" ]; then
  ./mvnw -B -q -o -pl concentrator,loadgen -am package -DskipTests
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

ns=l2sec-churn-$$
work=$(mktemp -d /tmp/l2sec-churn.XXXXXX)
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
printf '%s\n' "$RADIUS_SECRET" > "$work/radius.secret"

# FreeRADIUS 3: accounting only (the concentrator authenticates locally), every record appended by the detail
# module to $work/radius/radacct/detail; the one client is 127.0.0.1.
rd=$work/radius
mkdir -p "$rd/radacct" "$rd/run" "$rd/log"
: > "$rd/dictionary"   # no attributes of our own: the system dictionaries have them all
cat > "$rd/radiusd.conf" <<EOF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = $rd
sbindir = /usr/sbin
logdir = $rd/log
raddbdir = $rd
radacctdir = $rd/radacct
name = radiusd
confdir = $rd
modconfdir = $rd
run_dir = $rd/run
db_dir = $rd
libdir = /usr/lib/freeradius
dictdir = /usr/share/freeradius
pidfile = $rd/run/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no
log {
	destination = stdout
	colourise = no
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
thread pool {
	start_servers = 2
	max_servers = 8
	min_spare_servers = 1
	max_spare_servers = 4
	max_requests_per_server = 0
	auto_limit_acct = no
}
client localhost {
	ipaddr = 127.0.0.1
	proto = udp
	secret = "$RADIUS_SECRET"
	require_message_authenticator = no
	nas_type = other
}
modules {
	detail {
		filename = $rd/radacct/detail
		escape_filenames = no
		permissions = 0600
		header = "%t"
		locking = no
	}
}
server default {
	listen {
		type = acct
		ipaddr = 127.0.0.1
		port = 18121
	}
	preacct {
	}
	accounting {
		detail
	}
}
EOF

cat > "$work/c.yaml" <<EOF
server:
  name: l2sec-churn
  workers: $WORKERS
l2tp:
  max-tunnels: 20000
tunnel-interface:
  name: l2sec0
  address: 10.96.0.1/12
pools:
  - name: default
    range: 10.96.1.1-10.96.255.254
aaa:
  local:
    users-file: $work/users
  radius:
    servers:
      - name: freeradius
        address: 127.0.0.1:18120          # no authentication goes there (methods below)
        accounting-address: 127.0.0.1:18121
        secret-file: $work/radius.secret
    timeout: 2s
    accounting:
      interim-interval: 0s
      spool-dir: $work/spool
  methods:
    mschapv2: [local]
    pap: [local]
ipsec:
  psk-file: $work/ipsec.psk
  limits:
    half-open: 4096
metrics:
  listen: 127.0.0.1:9117
admin:
  enabled: false
EOF

ip netns exec "$ns" /usr/sbin/freeradius -f -d "$rd" -n radiusd -l stdout > "$work/radiusd.log" 2>&1 &
for _ in $(seq 1 40); do grep -q "Ready to process requests" "$work/radiusd.log" 2>/dev/null && break; sleep 0.5; done
grep -q "Ready to process requests" "$work/radiusd.log" || { echo "freeradius did not start:"; cat "$work/radiusd.log"; exit 1; }

jopts=()
[ "$PARANOID" = 1 ] && jopts+=(-Dio.netty.leakDetection.level=PARANOID)
echo "churn: ns=$ns load=$(cut -d' ' -f1-3 /proc/loadavg) cpus=$(nproc) workers=$WORKERS concentrator_cpu=$CONC_CPU loadgen_cpu=$LOADGEN_CPU" \
  "heap=$CONC_HEAP duration=${DURATION}s rate=$RATE/s hold=${HOLD}s clients=$clients sources=$SOURCES paranoid=$PARANOID"
ip netns exec "$ns" taskset -c "$CONC_CPU" "$JAVA_HOME/bin/java" "-Xmx$CONC_HEAP" "${jopts[@]}" --enable-native-access=ALL-UNNAMED \
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
if [ "$PARANOID" = 1 ]; then
  "$JAVA_HOME/bin/jcmd" "$pid" VM.system_properties | grep -q '^io.netty.leakDetection.level=PARANOID' ||
    { echo "concentrator runs without io.netty.leakDetection.level=PARANOID"; exit 1; }
fi

# Live heap after a full GC (class_histogram collects first), in bytes, as scale.sh measures it
heap() {
  "$JAVA_HOME/bin/jcmd" "$pid" GC.class_histogram > "$work/histo-$1.txt"
  awk '/^Total/ {t = $3} /jdk.internal.vm.FillerElement/ {f += $3} END {print t - f}' "$work/histo-$1.txt"
}
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
metric() {
  ip netns exec "$ns" curl -sf --max-time 5 http://127.0.0.1:9117/metrics |
    awk -v m="$1" '$1 == m || index($1, m "{") == 1 {s += $2; n++} END {if (n) printf "%d", s; else print "?"}'
}
# one SOAK line; the samples go to $work/soak.txt as "t live_bytes" for the comparison at the end
t_start=$SECONDS
soak() {
  local t=$(( SECONDS - t_start )) live
  live=$(heap "t$t")
  echo "$t $live" >> "$work/soak.txt"
  echo "SOAK t=${t}s heap_live=$(( live / 1024 ))KiB rss=$(( $(rss) / 1024 ))MiB sessions=$(metric l2sec_ppp_sessions_active)" \
    "acct_spool=$(metric l2sec_acct_spool_records) loadgen: $(grep '^t=' "$work/loadgen.out" 2>/dev/null | tail -1 | cut -d' ' -f1-3,6,7)"
}
: > "$work/loadgen.out"
soak

# Arrivals for DURATION; --until-up: once every client came up or failed, the last ones still hold for HOLD s.
# --duration only bounds the run (clients still up then are hung up by the loadgen at once).
/usr/bin/time -f "LOADGEN cpu_s=%U+%S wall_s=%e max_rss_mib=%M(KiB)" ip netns exec "$ns" taskset -c "$LOADGEN_CPU" \
  "$JAVA_HOME/bin/java" -XX:+UseParallelGC -Xmx512m -jar "$lg_jar" \
  --server 127.0.0.1 --psk "$PSK" --user alice --password password --proposal "$PROPOSAL" --threads 1 \
  --clients "$clients" --rate "$RATE" --hold "$HOLD" --setup-timeout "$SETUP_TIMEOUT" \
  --source-addresses "127.3.0.1-$(awk -v n="$SOURCES" 'BEGIN {printf "127.3.%d.%d", int(n / 256), n % 256}')" \
  --duration $(( DURATION + SETUP_TIMEOUT + HOLD + 30 )) --until-up $(( HOLD + 5 )) > "$work/loadgen.out" 2>&1 &
lg=$!
next=$SAMPLE
while kill -0 "$lg" 2>/dev/null; do
  sleep 1
  if (( SECONDS - t_start >= next )); then
    soak
    next=$(( next + SAMPLE ))
  fi
done
wait "$lg" || true
grep -E '^(RESULT|LOADGEN|summary)' "$work/loadgen.out" || { echo "no RESULT line from the loadgen:"; tail -20 "$work/loadgen.out"; }
sleep "$SETTLE"   # the last hang-ups: CDN/StopCCN handled, closed tunnels linger (RFC 2661 5.7), Stops delivered
soak
if [ "$PARANOID" = 1 ]; then
  # the leak detector reports when a tracked buffer is allocated after the leaked one was collected: after the
  # last full GC, a few NAT-keepalives (ignored by the server, but received into pooled buffers) make it look
  ip netns exec "$ns" bash -c 'for i in $(seq 1 20); do printf "\xff" > /dev/udp/127.0.0.1/4500; sleep 0.1; done' || true
  sleep 2
fi

# ---- the comparison ----
res=$(grep '^RESULT' "$work/loadgen.out" | tail -1 || true)
val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$res"; }
connected=$(val connected); hung_up=$(val hung_up); failed=$(val failed); incomplete=$(val incomplete)
detail=$rd/radacct/detail
count() { if [ -f "$detail" ]; then grep -c "^[[:space:]]*Acct-Status-Type = $1\$" "$detail" || true; else echo 0; fi; }
distinct() {   # distinct Acct-Session-Ids among the records of one Acct-Status-Type
  [ -f "$detail" ] || { echo 0; return; }
  awk -v want="$1" 'function commit() {if (st == want && id != "") seen[id] = 1; st = ""; id = ""}
    /^[^ \t]/ || /^[ \t]*$/ {commit(); next} /Acct-Status-Type = / {st = $3} /Acct-Session-Id = / {id = $3}
    END {commit(); n = 0; for (k in seen) n++; print n}' "$detail"
}
starts=$(count Start); stops=$(count Stop); ustarts=$(distinct Start); ustops=$(distinct Stop)
sessions=$(metric l2sec_ppp_sessions_active)
spool=$(metric l2sec_acct_spool_records)
leaks=$(grep -c 'LEAK:' "$work/concentrator.log" || true)
read -r _ cold < <(head -1 "$work/soak.txt")
read -r t0 live0 < <(awk -v w="$WARMUP" '$1 >= w' "$work/soak.txt" | head -1)
read -r t1 live1 < <(tail -1 "$work/soak.txt")
echo "CHURN loadgen clients=$clients connected=${connected:-?} hung_up=${hung_up:-?} failed=${failed:-?} incomplete=${incomplete:-?} failures=$(val failures)"
echo "CHURN accounting starts=$ustarts stops=$ustops (records: $starts Start, $stops Stop; distinct Acct-Session-Id counted) spool_left=$spool"
echo "CHURN sessions_established_at_end=$sessions"
echo "CHURN heap start(t=${t0:-?}s)=$(( ${live0:-0} / 1024 ))KiB end(t=${t1}s)=$(( live1 / 1024 ))KiB" \
  "delta=$(( (live1 - ${live0:-0}) / 1024 ))KiB samples=$(wc -l < "$work/soak.txt") (cold, before any client: $(( cold / 1024 ))KiB)"
[ "$PARANOID" = 1 ] && echo "CHURN leak_lines=$leaks (io.netty.leakDetection.level=PARANOID)"
if [ "$leaks" -gt 0 ]; then grep -A12 -m3 'LEAK:' "$work/concentrator.log" | head -40; fi
echo "concentrator log: $(grep -c . "$work/concentrator.log") lines, $(grep -ci 'error\|exception' "$work/concentrator.log" || true) with error/exception"
grep -i 'exception\|outofmemory' "$work/concentrator.log" | sed 's/^[^ ]* //' | sort | uniq -c | sort -rn | head -5 || true

fail=()
[ "$ustops" = "$ustarts" ] || fail+=("stops!=starts")
[ "$ustarts" = "${connected:-x}" ] || fail+=("starts!=connected")
[ "$sessions" = 0 ] || fail+=("sessions_remain")
[ "${failed:-x}" = 0 ] || fail+=("client_failures")
[ "${hung_up:-x}" = "${connected:-y}" ] || fail+=("hung_up!=connected")
[ "$PARANOID" = 1 ] && [ "$leaks" -gt 0 ] && fail+=("leaks")
if [ ${#fail[@]} -eq 0 ]; then
  echo "CHURN status=ok"
else
  echo "CHURN status=fail reasons=$(IFS=,; echo "${fail[*]}")"
  exit 1
fi
