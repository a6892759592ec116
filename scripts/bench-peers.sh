#!/usr/bin/env bash
# rollguard side by side with the peers it finds installed (Debian's prometheus-node-exporter and monit), all in
# the same run so that ratios compare like with like: resident memory after start, after a soak (default 5 min) and
# after load; CPU while idle over the last IDLE_SECONDS of the soak; /metrics latency for one request at a time
# (median of 50); and under wrk, 16 connections (-t2 -c16) and 1 connection (-t1 -c1), with p50, p99 and req/s.
# monit serves no metrics, so only its memory and idle CPU are measured.
#
# Prints markdown table rows (one figure per row, median over RUNS runs; ratios taken within each run, then the
# median), then a line "peers: ..." saying which peers ran and which were skipped. Used by scripts/bench.sh;
# runs alone too, after `mvn -B -ntp package -DskipTests`.
#
#   RUNS=3 SOAK_SECONDS=300 IDLE_SECONDS=60 SCRAPES=20000 PEER_SCRAPES=2000 WRK_SECONDS=20 scripts/bench-peers.sh
#   QUICK=1 scripts/bench-peers.sh      # to try it out: one short run; the figures mean nothing
#
# Only 127.0.0.1 is contacted; every process started is ended by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${QUICK:-0}" = 1 ]; then
    RUNS=${RUNS:-1} SOAK_SECONDS=${SOAK_SECONDS:-20} IDLE_SECONDS=${IDLE_SECONDS:-10}
    SCRAPES=${SCRAPES:-2000} PEER_SCRAPES=${PEER_SCRAPES:-200} WRK_SECONDS=${WRK_SECONDS:-3}
fi
RUNS=${RUNS:-3}
SOAK_SECONDS=${SOAK_SECONDS:-300}
IDLE_SECONDS=${IDLE_SECONDS:-60}
SCRAPES=${SCRAPES:-20000}
PEER_SCRAPES=${PEER_SCRAPES:-2000}
WRK_SECONDS=${WRK_SECONDS:-20}
[ "$IDLE_SECONDS" -lt "$SOAK_SECONDS" ] || { echo "bench-peers.sh: IDLE_SECONDS must be below SOAK_SECONDS" >&2; exit 2; }
for tool in curl wrk python3; do
    command -v "$tool" >/dev/null || { echo "bench-peers.sh needs $tool (Debian: apt-get install $tool)" >&2; exit 2; }
done
[ -f agent/target/rollguard.jar ] || { echo "bench-peers.sh: build first: mvn -B -ntp package -DskipTests" >&2; exit 2; }

node_exporter=$(command -v prometheus-node-exporter || command -v node_exporter || true)
monit=$(command -v monit || true)

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in ${pids[@]+"${pids[@]}"}; do
        if kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
clk_tck=$(getconf CLK_TCK)
rss_mib() { awk '/VmRSS/ {printf "%.1f\n", $2/1024}' "/proc/$1/status"; }
# CPU time used so far by a process, in clock ticks: utime + stime, read after the command name's closing paren.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
wait_http() { # url pid
    local tries=0
    until curl -fs -o /dev/null "$1"; do
        kill -0 "$2" 2>/dev/null || { echo "bench-peers.sh: the process serving $1 exited" >&2; exit 1; }
        tries=$((tries + 1)); [ "$tries" -lt 3000 ] || { echo "bench-peers.sh: $1 never answered" >&2; exit 1; }
        sleep 0.01
    done
}
sleep_until() { # epoch seconds (fractional)
    local left; left=$(python3 -c "import time; print(max(0.0, $1 - time.time()))")
    sleep "$left"
}
one_request_ms() { # url: median of 50 requests, one at a time
    for _ in $(seq 50); do
        curl -s -o /dev/null -w '%{time_total}\n' "$1"
    done | awk '{printf "%.3f\n", $1*1000}' | median
}
scrape() { # url count: sequential scrapes, 100 per curl process (keep-alive)
    local left=$2 urls=() batch
    while [ "$left" -gt 0 ]; do
        batch=$(( left < 100 ? left : 100 )); urls=()
        for _ in $(seq "$batch"); do urls+=("$1"); done
        curl -s "${urls[@]}" >/dev/null
        left=$((left - batch))
    done
}
# wrk THREADS CONNECTIONS URL -> "p50_ms p99_ms requests_per_second"
load() {
    wrk -t"$1" -c"$2" -d"${WRK_SECONDS}s" --latency "$3" | python3 -c '
import re, sys
text = sys.stdin.read()
unit = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}
def ms(p):
    m = re.search(r"^\s+" + p + r"%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    return float(m.group(1)) * unit[m.group(2)]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", text)
if errors:
    sys.exit("wrk reported errors: " + errors.group(0))
print("%.3f %.3f %.0f" % (ms("50"), ms("99"), rps))'
}

declare -A fig   # "name:figure" -> space-separated values, one per run
add() { fig["$1"]="${fig[$1]:-} $2"; }
med() { printf '%s\n' ${fig[$1]:-} | grep -v '^$' | median; }

for run in $(seq "$RUNS"); do
    echo "bench-peers.sh: run $run of $RUNS (soak ${SOAK_SECONDS}s)" >&2
    rg_port=$(free_port)
    cat > "$work/rollguard.toml" <<TOML
[agent]
interval = "5s"
state_dir = "$work/state-$run"
[http]
listen = "127.0.0.1:$rg_port"
TOML
    scripts/rollguard run --config "$work/rollguard.toml" >"$work/rollguard.log" 2>&1 &
    rg=$!; pids+=("$rg")
    ne=; ne_port=
    if [ -n "$node_exporter" ]; then
        ne_port=$(free_port)
        "$node_exporter" --web.listen-address="127.0.0.1:$ne_port" >"$work/node_exporter.log" 2>&1 &
        ne=$!; pids+=("$ne")
    fi
    mo=
    if [ -n "$monit" ]; then
        cat > "$work/monitrc" <<MONIT
set daemon 1
set logfile $work/monit.log
set pidfile $work/monit.pid
set idfile $work/monit.id
set statefile $work/monit.state
check system bench_host
check filesystem rootfs with path /
MONIT
        chmod 0600 "$work/monitrc"
        "$monit" -I -c "$work/monitrc" >"$work/monit.out" 2>&1 &
        mo=$!; pids+=("$mo")
    fi
    started=$(date +%s.%N)
    wait_http "http://127.0.0.1:$rg_port/health" "$rg"
    [ -z "$ne" ] || wait_http "http://127.0.0.1:$ne_port/metrics" "$ne"

    sleep_until "$(python3 -c "print($started + 6)")"
    add rg:rss_start "$(rss_mib "$rg")"
    [ -z "$ne" ] || add ne:rss_start "$(rss_mib "$ne")"
    [ -z "$mo" ] || add mo:rss_start "$(rss_mib "$mo")"

    # Idle: nothing talks to any of them. CPU over the last IDLE_SECONDS of the soak.
    sleep_until "$(python3 -c "print($started + $SOAK_SECONDS - $IDLE_SECONDS)")"
    declare -A before=()
    for who in rg ne mo; do [ -z "${!who}" ] || before[$who]=$(cpu_ticks "${!who}"); done
    sleep_until "$(python3 -c "print($started + $SOAK_SECONDS)")"
    for who in rg ne mo; do
        [ -z "${!who}" ] && continue
        add "$who:idle_cpu" "$(awk -v a="${before[$who]}" -v b="$(cpu_ticks "${!who}")" -v hz="$clk_tck" -v s="$IDLE_SECONDS" \
            'BEGIN {printf "%.3f\n", (b - a) / hz / s * 100}')"
        add "$who:rss_soak" "$(rss_mib "${!who}")"
    done

    add rg:one "$(one_request_ms "http://127.0.0.1:$rg_port/metrics")"
    [ -z "$ne" ] || add ne:one "$(one_request_ms "http://127.0.0.1:$ne_port/metrics")"

    scrape "http://127.0.0.1:$rg_port/metrics" "$SCRAPES"
    add rg:rss_scraped "$(rss_mib "$rg")"
    if [ -n "$ne" ]; then
        scrape "http://127.0.0.1:$ne_port/metrics" "$PEER_SCRAPES"
        add ne:rss_scraped "$(rss_mib "$ne")"
    fi

    read -r p50 p99 rps < <(load 2 16 "http://127.0.0.1:$rg_port/metrics")
    add rg:p50_16 "$p50"; add rg:p99_16 "$p99"; add rg:rps_16 "$rps"; rg_rps=$rps
    read -r p50 p99 rps < <(load 1 1 "http://127.0.0.1:$rg_port/metrics")
    add rg:p50_1 "$p50"; add rg:p99_1 "$p99"; add rg:rps_1 "$rps"
    add rg:rss_load "$(rss_mib "$rg")"
    if [ -n "$ne" ]; then
        read -r p50 p99 rps < <(load 2 16 "http://127.0.0.1:$ne_port/metrics")
        add ne:p50_16 "$p50"; add ne:p99_16 "$p99"; add ne:rps_16 "$rps"
        add ratio:rps_16 "$(awk -v a="$rg_rps" -v b="$rps" 'BEGIN {printf "%.1f\n", a / b}')"
        read -r p50 p99 rps < <(load 1 1 "http://127.0.0.1:$ne_port/metrics")
        add ne:p50_1 "$p50"; add ne:p99_1 "$p99"; add ne:rps_1 "$rps"
        add ne:rss_load "$(rss_mib "$ne")"
        add ratio:rss_soak "$(awk -v a="$(rss_mib "$rg")" -v b="$(rss_mib "$ne")" 'BEGIN {printf "%.1f\n", a / b}')"
    fi
    [ -z "$mo" ] || add mo:rss_load "$(rss_mib "$mo")"

    for pid in $rg $ne $mo; do kill "$pid"; wait "$pid" 2>/dev/null || true; done
    pids=()
done

ne_name=node_exporter; [ -n "$node_exporter" ] || ne_name="node_exporter (not installed)"
mo_name=monit; [ -n "$monit" ] || mo_name="monit (not installed)"
cell() { # figure-key unit
    local value; value=$(med "$1")
    if [ "$value" = n/a ]; then echo "-"; else echo "$value $2"; fi
}
soak=$(awk -v s="$SOAK_SECONDS" 'BEGIN {if (s % 60) printf "%d s", s; else printf "%d min", s / 60}')
cat <<ROWS
| what (median of $RUNS runs) | rollguard | $ne_name | $mo_name | target |
| --- | --- | --- | --- | --- |
| resident memory 6 s after start | $(cell rg:rss_start MiB) | $(cell ne:rss_start MiB) | $(cell mo:rss_start MiB) | <= 72 MiB |
| resident memory after ${soak} idle | $(cell rg:rss_soak MiB) | $(cell ne:rss_soak MiB) | $(cell mo:rss_soak MiB) | <= 72 MiB |
| rollguard / node_exporter resident memory after the soak | $(cell ratio:rss_soak x) | | | |
| CPU while idle, last ${IDLE_SECONDS} s of the soak (% of one core) | $(cell rg:idle_cpu %) | $(cell ne:idle_cpu %) | $(cell mo:idle_cpu %) | <= 0.3% |
| \`/metrics\`, one request at a time, curl time_total (median of 50) | $(cell rg:one ms) | $(cell ne:one ms) | | |
| resident memory after $SCRAPES scrapes (node_exporter: $PEER_SCRAPES) | $(cell rg:rss_scraped MiB) | $(cell ne:rss_scraped MiB) | | <= 72 MiB |
| \`wrk -t2 -c16 -d${WRK_SECONDS}s\`: requests/s | $(cell rg:rps_16 /s) | $(cell ne:rps_16 /s) | | >= 50x node_exporter |
| rollguard / node_exporter requests/s, 16 connections | $(cell ratio:rps_16 x) | | | >= 50x |
| \`wrk -t2 -c16\`: p50 / p99 | $(cell rg:p50_16 ms) / $(cell rg:p99_16 ms) | $(cell ne:p50_16 ms) / $(cell ne:p99_16 ms) | | p99 <= 10 ms |
| \`wrk -t1 -c1 -d${WRK_SECONDS}s\`: p50 / p99, requests/s | $(cell rg:p50_1 ms) / $(cell rg:p99_1 ms), $(cell rg:rps_1 /s) | $(cell ne:p50_1 ms) / $(cell ne:p99_1 ms), $(cell ne:rps_1 /s) | | p99 <= 1 ms |
| resident memory after the wrk runs | $(cell rg:rss_load MiB) | $(cell ne:rss_load MiB) | $(cell mo:rss_load MiB) | <= 72 MiB |
ROWS
versions="$(scripts/rollguard --version 2>/dev/null | head -1)"
[ -z "$node_exporter" ] || versions+=", $("$node_exporter" --version 2>&1 | head -1)"
[ -z "$monit" ] || versions+=", $("$monit" -V | head -1)"
skipped=
[ -n "$node_exporter" ] || skipped+=" node_exporter (apt-get install prometheus-node-exporter)"
[ -n "$monit" ] || skipped+=" monit (apt-get install monit)"
echo "peers: $versions${skipped:+; skipped:$skipped}"
