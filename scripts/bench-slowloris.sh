#!/usr/bin/env bash
# Slowloris: the agent (through the launcher, on 127.0.0.1) under TRICKLING connections that send one byte a second
# and never finish their request (half a head, half a body) and IDLE connections that send nothing, both reopened
# whenever the agent closes them (scripts/slowloris.py). Meanwhile REQUESTS fresh connections (curl, one every half
# second after 5 s of attack) ask GET /health, and the median and worst time_total of those answered (curl gives up
# after 5 s) are printed, with the agent's connection counters after.
# Usage: scripts/bench-slowloris.sh [--no-build]; TRICKLING (300), IDLE (1000), REQUESTS (20) override the sizes;
# ONE_PEER=1 sends every connection from 127.0.0.1 (the per-peer cap) instead of from 130 loopback addresses.
# Only loopback addresses are contacted; every process started is ended by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

TRICKLING=${TRICKLING:-300}
IDLE=${IDLE:-1000}
REQUESTS=${REQUESTS:-20}
if [ "${1:-}" != --no-build ]; then
    mvn -B -ntp -q -o package -pl agent -am -DskipTests
fi

work=$(mktemp -d)
agent_pid=
attack_pid=
cleanup() {
    for pid in $attack_pid $agent_pid; do
        if kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
    done
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
cat > "$work/rollguard.toml" <<TOML
[agent]
interval = "5s"
state_dir = "$work/state"
[http]
listen = "127.0.0.1:$port"
TOML
chmod 0600 "$work/rollguard.toml"
scripts/rollguard run --config "$work/rollguard.toml" >"$work/agent.log" 2>&1 &
agent_pid=$!
until curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
    kill -0 "$agent_pid" 2>/dev/null || { cat "$work/agent.log" >&2; exit 1; }
    sleep 0.05
done

echo "agent $(scripts/rollguard --version 2>/dev/null | head -1), pid $agent_pid, port $port;" \
     "$TRICKLING trickling and $IDLE idle connections"
python3 scripts/slowloris.py --port "$port" --trickling "$TRICKLING" --idle "$IDLE" \
    --duration $((5 + REQUESTS / 2 + 3)) ${ONE_PEER:+--one-peer} &
attack_pid=$!
sleep 5
times=()
for _ in $(seq "$REQUESTS"); do
    if t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 "http://127.0.0.1:$port/health") \
            && [ "${t% *}" = 200 ]; then
        times+=("$(awk -v s="${t#* }" 'BEGIN {printf "%.1f", s * 1000}')")
    fi
    sleep 0.5
done
wait "$attack_pid" || true
attack_pid=
if [ ${#times[@]} -gt 0 ]; then
    printf '%s\n' "${times[@]}" | sort -n | awk -v n="$REQUESTS" '{a[NR]=$1} END {
        printf "fresh /health: answered %d/%d, median %s ms, worst %s\n", NR, n,
            (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), (NR == n ? a[NR] " ms" : "unanswered (> 5 s)")}'
else
    echo "fresh /health: answered 0/$REQUESTS"
fi
curl -fs --max-time 5 "http://127.0.0.1:$port/metrics" | grep '^rollguard_http_connections' || echo "/metrics: no answer"
grep -E 'WARN|ERROR' "$work/agent.log" | cut -c1-200 | sort | uniq -c | sort -rn | head -5 || true
