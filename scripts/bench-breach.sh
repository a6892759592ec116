#!/usr/bin/env bash
# Breach to action: a local service answers 200; the agent checks it every second with a rule `for = "0s"` whose
# action writes a timestamp. The service is then stopped, and the time from the stop to the action's first line is
# measured. Prints the median of RUNS runs in milliseconds, alone on the last line. Budget: for (0) + one tick + 100 ms.
# Only 127.0.0.1 is contacted; every process started is ended by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
work=$(mktemp -d)
agent_pid=
service_pid=
cleanup() {
    for pid in $agent_pid $service_pid; do
        if kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }

cat > "$work/action.sh" <<'SH'
#!/bin/sh
date +%s%3N >> "$BENCH_OUT"
SH
chmod 0700 "$work/action.sh"
mkdir -p "$work/www" && echo ok > "$work/www/index.html"

latencies=()
for run in $(seq "$RUNS"); do
    service_port=$(free_port)
    agent_port=$(free_port)
    python3 -m http.server "$service_port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
    service_pid=$!
    cat > "$work/rollguard.toml" <<TOML
[agent]
interval = "1s"
state_dir = "$work/state-$run"
[http]
listen = "127.0.0.1:$agent_port"
[sample.filesystem]
enabled = false
[[check]]
name = "service"
type = "http"
url = "http://127.0.0.1:$service_port/"
interval = "1s"
timeout = "900ms"
[action.act]
run = ["$work/action.sh"]
env = { BENCH_OUT = "$work/fired-$run" }
[[rule]]
name = "service-down"
when = 'check_up{check="service"} == 0'
for = "0s"
action = "act"
TOML
    scripts/rollguard run --config "$work/rollguard.toml" >"$work/agent-$run.log" 2>&1 &
    agent_pid=$!
    until curl -fs "http://127.0.0.1:$agent_port/metrics" 2>/dev/null | grep -q 'rollguard_check_up{check="service"} 1'; do
        kill -0 "$agent_pid" 2>/dev/null || { cat "$work/agent-$run.log" >&2; exit 1; }
        sleep 0.05
    done
    sleep 0.$((RANDOM % 10))   # breach at a random point of the tick
    t0=$(now_ms)
    kill "$service_pid"; wait "$service_pid" 2>/dev/null || true; service_pid=
    until [ -s "$work/fired-$run" ]; do
        kill -0 "$agent_pid" 2>/dev/null || { cat "$work/agent-$run.log" >&2; exit 1; }
        sleep 0.01
    done
    t1=$(head -1 "$work/fired-$run")
    latencies+=($((t1 - t0)))
    kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=
done
printf '%s\n' "${latencies[@]}" | sort -n | tr '\n' ' ' >&2; echo >&2
printf '%s\n' "${latencies[@]}" | sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
