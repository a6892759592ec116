#!/usr/bin/env bash
# The command line against a running agent: the wall time of `rollguard status`, `rollguard events --limit 20` and
# `rollguard deploy status` through the shipped launcher (JVM start included), and of `rollguard --version` (the JVM's
# start with the jar and the command line, which talks to no agent: the floor), median of RUNS (9) calls each,
# without the class-data archive and with the one `rollguard --make-archive` makes (as install.sh and the package
# do). ROLLGUARD_JAR names another build's jar to compare (the before column of BENCHMARKS.md).
# Usage: scripts/bench-cli.sh [--no-build]
# The agent listens on 127.0.0.1:PORT (19732) only, in a scratch directory; it is ended by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-9}
PORT=${PORT:-19732}
if [ "${1:-}" != --no-build ]; then
    mvn -B -ntp -q -o package -pl agent -am -DskipTests
fi
command -v python3 >/dev/null || { echo "bench-cli.sh needs python3" >&2; exit 2; }

work=$(mktemp -d)
agent_pid=
cleanup() {
    if [ -n "$agent_pid" ] && kill -0 "$agent_pid" 2>/dev/null; then kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# A copy of the jar, so that its archive (beside it) is this script's own and the build's stays as it was.
cp "${ROLLGUARD_JAR:-agent/target/rollguard.jar}" "$work/rollguard.jar"
export ROLLGUARD_JAR="$work/rollguard.jar"
printf '[agent]\ninterval = "1s"\nstate_dir = "%s/state"\n[http]\nlisten = "127.0.0.1:%s"\n' "$work" "$PORT" \
    > "$work/bench.toml"
chmod 0600 "$work/bench.toml"

scripts/rollguard run --config "$work/bench.toml" > "$work/agent.log" 2>&1 &
agent_pid=$!
python3 - "$PORT" <<'PY'
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen("http://127.0.0.1:%s/health" % sys.argv[1], timeout=1).read()
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit("the agent did not answer within 30 s")
PY

measure() { # LABEL: one row per command
    python3 - "$1" "$RUNS" "$work/bench.toml" <<'PY'
import statistics, subprocess, sys, time
label, runs, config = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for command in (["status"], ["events", "--limit", "20"], ["deploy", "status"], ["--version"]):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(["scripts/rollguard", *command] + ([] if command == ["--version"] else ["--config", config]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    print("| rollguard %s | %s | %.0f ms | %.0f ms |" % (" ".join(command), label,
          statistics.median(times) * 1000, max(times) * 1000))
PY
}

printf '| command | archive | median | worst |\n| --- | --- | --- | --- |\n'
measure "none"
scripts/rollguard --make-archive > /dev/null
measure "rollguard --make-archive"
