#!/usr/bin/env bash
# Measures rollguard and writes the figures to BENCHMARKS.md: end to end through the shipped launcher (start time,
# breach to action), side by side with node_exporter and monit where installed (scripts/bench-peers.sh: memory after
# start, after a 5-minute soak and after load, idle CPU, /metrics latency one at a time and under wrk), then the hot
# paths with JMH (bench/target/benchmarks.jar). A full run takes about 25 minutes (3 soaks of 5 minutes).
#   scripts/bench.sh              build, measure everything, write BENCHMARKS.md
#   scripts/bench.sh --no-build   measure the jars already built
#   scripts/bench.sh --jmh-only   only the JMH benchmarks (builds only the bench module and what it needs)
#   scripts/bench.sh --quick      one end-to-end run and short JMH iterations, to try the script out
#   scripts/bench.sh ... -- ARGS  passes ARGS to JMH, such as a benchmark regex: -- RuleEvaluation
# Only a full run (no --jmh-only, --quick or JMH arguments) writes BENCHMARKS.md; the others print the table.
# The JMH forks run with the launcher's JVM flags, as the agent does; JMH_JVM_ARGS replaces them (set it empty for
# the JVM's defaults). Every figure is the median of several runs or samples. Only 127.0.0.1 is contacted; every
# process started is ended by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

build=yes; end_to_end=yes; quick=no; jmh_extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=no ;;
        --jmh-only) end_to_end=no ;;
        --quick) quick=yes ;;
        --) shift; jmh_extra=("$@"); break ;;
        *) echo "usage: scripts/bench.sh [--no-build] [--jmh-only] [--quick] [-- JMH arguments]" >&2; exit 2 ;;
    esac
    shift
done

if [ "$quick" = yes ]; then
    RUNS=${RUNS:-1}
    jmh_settings=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
else
    RUNS=${RUNS:-5}
    # Short but honest on 2 cores: one fork, 6 s of warm-up, 10 s measured with every op's time sampled.
    jmh_settings=(-f 1 -wi 3 -w 2s -i 5 -r 2s)
fi
PORT=${PORT:-19730}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

if [ "$build" = yes ]; then
    if [ "$end_to_end" = yes ]; then
        mvn -B -ntp -q package -DskipTests   # agent/target/rollguard.jar and bench/target/benchmarks.jar
    else
        mvn -B -ntp -q package -pl bench -am -DskipTests
    fi
fi
[ -f bench/target/benchmarks.jar ] || { echo "bench.sh: bench/target/benchmarks.jar is missing; build without --no-build" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench.sh needs python3" >&2; exit 2; }
if [ "$end_to_end" = yes ]; then
    # As installed: install.sh and the package make the class-data archive with the launcher's --make-archive.
    scripts/rollguard --make-archive >/dev/null
fi

work=$(mktemp -d)
agent_pid=
cleanup() {
    if [ -n "$agent_pid" ] && kill -0 "$agent_pid" 2>/dev/null; then kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; fi
    rm -rf "$work"
    if [ "$end_to_end" = yes ]; then rm -f agent/target/rollguard.jsa; fi
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }

start_agent() {
    scripts/rollguard run --config "$work/rollguard.toml" >"$work/agent.log" 2>&1 &
    agent_pid=$!
}
stop_agent() {
    kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=
}

# Through the launcher: start time, resident memory, /metrics latency. Sets e2e_rows.
measure_end_to_end() {
    command -v curl >/dev/null || { echo "bench.sh needs curl" >&2; exit 2; }
    cat > "$work/rollguard.toml" <<TOML
[agent]
interval = "5s"
state_dir = "$work/state"
[http]
listen = "127.0.0.1:$PORT"
TOML

    # Start to /health answering 200.
    local starts=()
    for _ in $(seq "$RUNS"); do
        local t0; t0=$(now_ms)
        start_agent
        until curl -fs -o /dev/null "http://127.0.0.1:$PORT/health"; do
            kill -0 "$agent_pid" 2>/dev/null || { cat "$work/agent.log" >&2; exit 1; }
            sleep 0.01
        done
        starts+=($(( $(now_ms) - t0 )))
        stop_agent
    done
    local start_ms
    start_ms=$(printf '%s\n' "${starts[@]}" | median)
    local metrics_bytes series
    start_agent
    until curl -fs -o /dev/null "http://127.0.0.1:$PORT/health"; do sleep 0.01; done
    sleep 6
    metrics_bytes=$(curl -s "http://127.0.0.1:$PORT/metrics" | wc -c)
    series=$(curl -s "http://127.0.0.1:$PORT/metrics" | grep -vc '^#')
    stop_agent

    # Breach to action started: a service stops answering, a rule with for = 0s on its check runs a script.
    local breach_ms
    breach_ms=$(RUNS="$RUNS" scripts/bench-breach.sh 2>/dev/null | tail -1)

    # Memory, idle CPU and /metrics under load, side by side with node_exporter and monit where installed.
    peer_table=$(if [ "$quick" = yes ]; then QUICK=1 scripts/bench-peers.sh; else scripts/bench-peers.sh; fi)

    e2e_rows=$(cat <<ROWS
| start to \`/health\` answering (median of $RUNS) | ${start_ms} ms | <= 1500 ms |
| \`/metrics\` size | ${metrics_bytes} bytes, ${series} series | |
| breach to action started: \`for = "0s"\`, 1 s tick and check interval, a real script (median of $RUNS, \`scripts/bench-breach.sh\`) | ${breach_ms} ms | <= 1100 ms (for + one tick + 100 ms) |
ROWS
)
}

# The JVM flags of the launcher's exec line (the class-data archive aside), so the hot paths are measured with the
# compiler, collector and heap the agent runs with.
launcher_jvm_flags() {
    local flags
    flags=$(sed -n '/^exec "\$java"/,/-jar "\$jar"/p' scripts/rollguard | grep -o -- ' -X[^ ]*' | tr -d '\n')
    [ -n "$flags" ] || { echo "bench.sh: cannot find the JVM flags in scripts/rollguard" >&2; exit 2; }
    echo "${flags# }"
}

# JMH with -prof gc, results as JSON. Sets jmh_rows.
measure_jmh() {
    local jvm_args sleepers_before sleepers_after jvm=()
    if [ -z "${JMH_JVM_ARGS+set}" ]; then
        jvm_args=$(launcher_jvm_flags)
        jmh_jvm_note="the launcher's JVM flags, so the compiler, collector and heap are the agent's: \`$jvm_args\`"
    elif [ -n "$JMH_JVM_ARGS" ]; then
        jvm_args=$JMH_JVM_ARGS
        jmh_jvm_note="JVM flags from JMH_JVM_ARGS, not the launcher's: \`$jvm_args\`"
    else
        jvm_args=
        jmh_jvm_note="the JVM's default flags (JMH_JVM_ARGS empty), not the launcher's"
    fi
    if [ -n "$jvm_args" ]; then
        jvm=(-jvmArgsAppend "$jvm_args")
    fi
    # ProcessSamplerBenchmark starts 500 "sleep 600" children and ends them by their Process handles: check it.
    sleepers_before=$(pgrep -c -x -f 'sleep 600' || true)
    echo "JMH: ${jmh_settings[*]} -prof gc, forks with ${jmh_jvm_note}"
    if ! java -jar bench/target/benchmarks.jar "${jmh_settings[@]}" -foe true -prof gc ${jvm[@]+"${jvm[@]}"} \
            -rf json -rff "$work/jmh.json" ${jmh_extra[@]+"${jmh_extra[@]}"} 2>&1 \
            | tee "$work/jmh.log" | { grep --line-buffered -E '^# (Benchmark|Parameters):' || true; }; then
        tail -50 "$work/jmh.log" >&2
        echo "bench.sh: JMH failed" >&2
        exit 1
    fi
    sleepers_after=$(pgrep -c -x -f 'sleep 600' || true)
    if [ "$sleepers_after" != "$sleepers_before" ]; then
        echo "bench.sh: 'sleep 600' processes before JMH: $sleepers_before, after: $sleepers_after" >&2
        pgrep -a -x -f 'sleep 600' >&2 || true
        exit 1
    fi
    jmh_rows=$(python3 - "$work/jmh.json" <<'PY'
import json
import sys

# Benchmark (with parameters) -> what the row says and the budget in microseconds (None: no budget).
ROWS = {
    "HostSamplersBenchmark.tick":
        ("one tick of all host samplers, default config, this host (JMH)", 10_000),
    "ProcessSamplerBenchmark.sample watched=few":
        ("process sampler, 3 `[[process]]` entries, 500 extra processes running (JMH)", 20_000),
    "ProcessSamplerBenchmark.sample watched=few+sleepers":
        ("process sampler, the same plus one entry matching all 500 (JMH)", None),
    "RuleEvaluationBenchmark.evaluate":
        ("1,000 rules (half `5m` windows over 310 samples, 200 series, 1,980 label sets) (JMH)", 5_000),
    "MetricsRenderBenchmark.render series=500":
        ("render `/metrics` once (text and OpenMetrics), 500 series (JMH)", None),
    "MetricsRenderBenchmark.render series=5000":
        ("render `/metrics` once (text and OpenMetrics), 5,000 series (JMH)", None),
    "StoreBenchmark.write":
        ("store write: one run of 150 series, 50 appended to 5-minute history rings (JMH)", None),
    "StoreBenchmark.windowQuery":
        ("store window query: 50 series' last 5 minutes (60 samples each) into a buffer (JMH)", None),
}
TO_MICROS = {"ns/op": 1e-3, "us/op": 1.0, "ms/op": 1e3, "s/op": 1e6}


def duration(micros):
    if micros >= 1000:
        return f"{micros / 1000:.2f} ms"
    return f"{micros:.0f} µs"


def size(count):
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f} MiB"
    if count >= 1 << 10:
        return f"{count / (1 << 10):.0f} KiB"
    return f"{count:.0f} B"


def key(result):
    name = ".".join(result["benchmark"].split(".")[-2:])
    params = " ".join(f"{k}={v}" for k, v in sorted(result.get("params", {}).items()))
    return f"{name} {params}".strip()


order = list(ROWS)
results = sorted(json.load(open(sys.argv[1])),
                 key=lambda result: order.index(key(result)) if key(result) in ROWS else len(order))
for result in results:
    row = key(result)
    what, budget = ROWS.get(row, (f"`{row}` (JMH)", None))
    primary = result["primaryMetric"]
    scale = TO_MICROS[primary["scoreUnit"]]
    percentiles = primary.get("scorePercentiles", {})
    if result["mode"] == "sample" and "50.0" in percentiles:
        figure = percentiles["50.0"] * scale
        text = f"median {duration(figure)}, p99 {duration(percentiles['99.0'] * scale)}"
    else:
        figure = primary["score"] * scale
        text = f"mean {duration(figure)}"
    secondary = result.get("secondaryMetrics", {})
    alloc = secondary.get("gc.alloc.rate.norm") or secondary.get("·gc.alloc.rate.norm")
    if alloc is not None:
        text += f"; {size(alloc['score'])} allocated per op"
    verdict = ""
    if budget is not None:
        verdict = f"<= {budget / 1000:g} ms: {'met' if figure <= budget else '**missed**'}"
    print(f"| {what} | {text} | {verdict} |")
PY
)
}

e2e_rows=
peer_table=
jmh_rows=
jmh_jvm_note=
if [ "$end_to_end" = yes ]; then
    measure_end_to_end
fi
measure_jmh
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

table=$(printf '| what | rollguard | budget |\n| --- | --- | --- |\n%s\n%s' "$e2e_rows" "$jmh_rows" | grep -v '^$')
echo "$table"
if [ -n "$peer_table" ]; then echo; echo "$peer_table"; fi
echo "load average (1, 5, 15 min): $load_start at the start, $load_end at the end"

if [ "$end_to_end" = no ] || [ "$quick" = yes ] || [ ${#jmh_extra[@]} -gt 0 ]; then
    echo "not written to BENCHMARKS.md: only a full run writes it"
    exit 0
fi

java_version=$(java -version 2>&1 | head -1)
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
cat > BENCHMARKS.md <<MD
# Benchmarks

Written by \`scripts/bench.sh\`; reproduce with \`scripts/bench.sh\` (builds first) or \`scripts/bench.sh --no-build\`.
The end-to-end rows run the agent through the shipped launcher (\`scripts/rollguard\`) and its JVM flags, on 127.0.0.1,
with the class-data archive the installers make (\`scripts/rollguard --make-archive\`, removed again at the end).
The rows marked JMH run \`bench/target/benchmarks.jar\` (\`${jmh_settings[*]} -prof gc\`) in forks with
${jmh_jvm_note}; each figure is the median and 99th percentile of the op's sampled times
(JMH SampleTime), and the allocation is JMH's \`gc.alloc.rate.norm\`. \`bench/src/main/java/io/rollguard/bench/\` says what one op is.

- date: $(date -u +%Y-%m-%d)
- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), ${cpu}
- load: load average (1, 5, 15 min) ${load_start} at the start of the run and ${load_end} at the end, on $(nproc) cores; the machine is shared with other builds, which compete with the benchmarks
- java: ${java_version}
- rollguard: $(scripts/rollguard --version)

$table

## Side by side with the peers

\`scripts/bench-peers.sh\` (run by \`scripts/bench.sh\`): rollguard through its launcher with the config above, Debian's
\`prometheus-node-exporter\` with its defaults and \`monit\` checking the host and \`/\` every second, started together and
left idle for the soak, then scraped one at a time, then loaded with \`wrk\`, on 127.0.0.1. Each figure is the median
of the runs; ratios are taken within each run, then their median. monit serves no metrics.

$(echo "$peer_table" | grep '^|')

$(echo "$peer_table" | grep '^peers:')
MD
echo "wrote BENCHMARKS.md"
