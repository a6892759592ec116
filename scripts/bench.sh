#!/usr/bin/env bash
# Measures rollguard through its shipped launcher and writes the figures to BENCHMARKS.md.
#   scripts/bench.sh            build, then measure
#   scripts/bench.sh --no-build measure the jar already built
# Every figure is the median of several runs. Only 127.0.0.1 is contacted; every process started is ended by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
PORT=${PORT:-19730}
if [ "${1:-}" != "--no-build" ]; then
    mvn -B -ntp -q package -DskipTests
fi
command -v curl >/dev/null || { echo "bench.sh needs curl" >&2; exit 2; }

work=$(mktemp -d)
agent_pid=
cleanup() {
    if [ -n "$agent_pid" ] && kill -0 "$agent_pid" 2>/dev/null; then kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/rollguard.toml" <<TOML
[agent]
interval = "5s"
state_dir = "$work/state"
[http]
listen = "127.0.0.1:$PORT"
TOML

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }
rss_mib() { awk '/VmRSS/ {printf "%.1f\n", $2/1024}' "/proc/$1/status"; }

start_agent() {
    scripts/rollguard run --config "$work/rollguard.toml" >"$work/agent.log" 2>&1 &
    agent_pid=$!
}
stop_agent() {
    kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=
}

# Start to /health answering 200, and resident memory once started.
starts=(); rss_started=()
for _ in $(seq "$RUNS"); do
    t0=$(now_ms)
    start_agent
    until curl -fs -o /dev/null "http://127.0.0.1:$PORT/health"; do
        kill -0 "$agent_pid" 2>/dev/null || { cat "$work/agent.log" >&2; exit 1; }
        sleep 0.01
    done
    starts+=($(( $(now_ms) - t0 )))
    sleep 6   # let the first ticks run before reading memory
    rss_started+=("$(rss_mib "$agent_pid")")
    stop_agent
done
start_ms=$(printf '%s\n' "${starts[@]}" | median)
rss_start=$(printf '%s\n' "${rss_started[@]}" | median)

# /metrics: one request at a time, 50 times; then resident memory after 2,000 scrapes.
start_agent
until curl -fs -o /dev/null "http://127.0.0.1:$PORT/health"; do sleep 0.01; done
sleep 6
latencies=()
for _ in $(seq 50); do
    latencies+=("$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT/metrics" | awk '{printf "%.2f\n", $1*1000}')")
done
metrics_ms=$(printf '%s\n' "${latencies[@]}" | median)
metrics_bytes=$(curl -s "http://127.0.0.1:$PORT/metrics" | wc -c)
series=$(curl -s "http://127.0.0.1:$PORT/metrics" | grep -vc '^#')
for _ in $(seq 20); do
    urls=(); for _ in $(seq 100); do urls+=("http://127.0.0.1:$PORT/metrics"); done
    curl -s "${urls[@]}" >/dev/null
done
rss_scraped=$(rss_mib "$agent_pid")
stop_agent

java_version=$(java -version 2>&1 | head -1)
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
table=$(cat <<TABLE
| what | rollguard | budget |
| --- | --- | --- |
| start to \`/health\` answering (median of $RUNS) | ${start_ms} ms | <= 1500 ms |
| resident memory after start, default samplers (median of $RUNS) | ${rss_start} MiB | <= 72 MiB |
| resident memory after 2,000 scrapes | ${rss_scraped} MiB | <= 72 MiB |
| \`GET /metrics\`, one client, curl time_total (median of 50) | ${metrics_ms} ms | |
| \`/metrics\` size | ${metrics_bytes} bytes, ${series} series | |
TABLE
)
echo "$table"

cat > BENCHMARKS.md <<MD
# Benchmarks

Written by \`scripts/bench.sh\`; reproduce with \`scripts/bench.sh\` (builds first) or \`scripts/bench.sh --no-build\`.
The agent runs through the shipped launcher (\`scripts/rollguard\`) and its JVM flags, on 127.0.0.1.

- date: $(date -u +%Y-%m-%d)
- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), ${cpu}
- java: ${java_version}
- rollguard: $(scripts/rollguard --version)

$table
MD
echo "wrote BENCHMARKS.md"
