# Sourced by benchmarks/setups.sh and benchmarks/throughput.sh: the concentrator jar in a network namespace of its
# own (created and removed here), CPU seconds from /proc, and median/min/max of result lines. Root only.
# The caller sets: work (a private temp dir), conc_jar, lg_jar, PSK, CONC_HEAP; and a trap that calls conc_stop.

conc_ns=""
conc_pid=""

# CPU seconds (user + system, all threads) of process $1 so far; empty when it is gone
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || true; }

# CPU seconds of process $1 so far by kind of thread (/proc/PID/task/*/comm, which the JVM sets to the thread's name
# cut to 15 characters): "loop=.. crypto=.. jit=.. gc=.. other=.." in clock ticks
threads_cpu_of() {
  local d
  for d in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr ' ' _ < "$d/comm" 2>/dev/null)" "$(awk '{print $14 + $15}' "$d/stat" 2>/dev/null)"
  done | awk '$2 == "" {next}
    $1 ~ /^(multiThreadIoEv|epollEventLoopG|nioEventLoopGro|l2sec-worker)/ {k = "loop"}
    $1 ~ /^l2sec-crypto/ {k = "crypto"}
    $1 ~ /^C[12]_CompilerThre/ {k = "jit"}
    $1 ~ /^(VM_Thread|GC_Thread|G1_|ZGC|ZWorker|ZDirector|Shenandoah)/ {k = "gc"}
    k == "" {k = "other"}
    {t[k] += $2; k = ""}
    END {printf "loop=%d crypto=%d jit=%d gc=%d other=%d\n", t["loop"], t["crypto"], t["jit"], t["gc"], t["other"]}'
}

# threads_cpu_delta BEFORE AFTER (two threads_cpu_of results): "loop_cpu_s=.. crypto_cpu_s=.. jit_cpu_s=.. ..."
threads_cpu_delta() {
  awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    n = split(a, x, " "); for (i = 1; i <= n; i++) { split(x[i], kv, "="); before[kv[1]] = kv[2] }
    n = split(b, y, " "); for (i = 1; i <= n; i++) { split(y[i], kv, "=")
      printf "%s%s_cpu_s=%.2f", (i > 1 ? " " : ""), kv[1], (kv[2] - before[kv[1]]) / hz } }'
}

# conc_start NAME WORKERS CPUS: a namespace l2sec-NAME-$$, lo up, the concentrator pinned to CPUS, ready
conc_start() {
  local name=$1 workers=$2 cpus=$3
  conc_ns=l2sec-$name-$$
  ip netns add "$conc_ns"
  ip netns exec "$conc_ns" ip link set lo up
  printf 'alice nt:8846F7EAEE8FB117AD06BDD830B7586C\n' > "$work/users"   # password "password"
  printf '%s\n' "$PSK" > "$work/ipsec.psk"
  cat > "$work/c.yaml" <<EOF
server:
  name: l2sec-bench
  workers: $workers
l2tp:
  max-tunnels: 60000
tunnel-interface:
  name: l2sec0
  address: 10.96.0.1/12
pools:
  - name: default
    range: 10.96.1.1-10.96.255.254
aaa:
  local:
    users-file: $work/users
ipsec:
  psk-file: $work/ipsec.psk
  limits:
    half-open: 100000
    half-open-memory-mib: 256
    half-open-per-source: 1000
    new-per-source-per-second: 100000
metrics:
  listen: 127.0.0.1:9117
admin:
  enabled: false
EOF
  chmod 600 "$work/users" "$work/ipsec.psk" "$work/c.yaml"
  : > "$work/concentrator.log"
  # shellcheck disable=SC2086 # CONC_JAVA_OPTS: extra JVM options, split on spaces (e.g. a JFR recording)
  ip netns exec "$conc_ns" taskset -c "$cpus" "$JAVA_HOME/bin/java" "-Xmx$CONC_HEAP" ${CONC_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED \
    -jar "$conc_jar" run "$work/c.yaml" > "$work/concentrator.log" 2>&1 &
  conc_pid=$!   # ip netns exec and taskset exec: this is the JVM
  local i
  for i in $(seq 1 120); do
    grep -q "concentrator ready" "$work/concentrator.log" && break
    kill -0 "$conc_pid" 2>/dev/null || break
    sleep 0.5
  done
  if ! grep -q "concentrator ready" "$work/concentrator.log"; then
    echo "concentrator did not start:" >&2; tail -20 "$work/concentrator.log" >&2; return 1
  fi
}

# conc_stop: every process in our namespace (ours alone: we made it), then the namespace
conc_stop() {
  [ -n "$conc_ns" ] || return 0
  local p i
  for p in $(ip netns pids "$conc_ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
  for i in $(seq 1 30); do [ -z "$(ip netns pids "$conc_ns" 2>/dev/null)" ] && break; sleep 0.5; done
  for p in $(ip netns pids "$conc_ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  ip netns del "$conc_ns" 2>/dev/null
  conc_ns=""; conc_pid=""
}

# kernel UDP counters in our namespace: datagrams dropped because a receive queue was full
udp_drops() {
  ip netns exec "$conc_ns" awk '/^Udp:/ {if (!h) {split($0, k); h = 1} else {for (i = 2; i <= NF; i++) if (k[i] ~ /RcvbufErrors|InErrors/) printf "%s=%s ", k[i], $i}}' /proc/net/snmp
}

# field KEY LINE: the value of KEY=... in LINE
field() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2" | head -1; }

# spread FILE KEYFIELDS VALUEFIELD: for each distinct combination of KEYFIELDS (space separated names) among the
# lines of FILE, "KEY=v ... VALUEFIELD median=.. min=.. max=.. n=.."
spread() {
  local file=$1 keys=$2 value=$3
  awk -v keys="$keys" -v value="$value" '
    { delete f; for (i = 1; i <= NF; i++) { p = index($i, "="); if (p) f[substr($i, 1, p - 1)] = substr($i, p + 1) }
      if (!(value in f) || f[value] == "" || f[value] == "nan") next
      k = ""; n = split(keys, ks, " "); for (j = 1; j <= n; j++) k = k ks[j] "=" f[ks[j]] " "
      if (!(k in cnt)) order[++no] = k
      v[k, ++cnt[k]] = f[value] + 0 }
    END { for (o = 1; o <= no; o++) { k = order[o]; c = cnt[k]
            for (i = 1; i <= c; i++) a[i] = v[k, i]
            for (i = 2; i <= c; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
            med = c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
            printf "%s%s median=%.6g min=%.6g max=%.6g n=%d\n", k, value, med, a[1], a[c], c } }' "$file"
}

# median FILE KEY=VAL... VALUEFIELD: the median of VALUEFIELD over the lines of FILE carrying every KEY=VAL
median_of() {
  local file=$1 value=${*: -1} sel=("${@:2:$#-2}") s
  local pat=""
  for s in "${sel[@]}"; do pat="$pat / $s /&&"; done
  awk -v value="$value" "{ \$0 = \$0 \" \" } ${pat} 1 { for (i = 1; i <= NF; i++) if (index(\$i, value \"=\") == 1) print substr(\$i, length(value) + 2) + 0 }" "$file" |
    sort -g | awk '{a[NR] = $1} END {if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'
}
