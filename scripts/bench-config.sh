#!/usr/bin/env bash
# Large configurations: how long `rollguard validate` (the shipped launcher, its 32 MiB heap and
# -XX:+ExitOnOutOfMemoryError) takes on generated files, and how it ends. Each figure is the median wall time of RUNS
# (3) runs, JVM start included; a run is stopped after LIMIT (120) seconds. ROLLGUARD_JAR names another build's jar
# to compare (the before column of BENCHMARKS.md).
# Usage: scripts/bench-config.sh [--no-build]
# Only local files are read; every process started is ended by its timeout.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
LIMIT=${LIMIT:-120}
if [ "${1:-}" != --no-build ]; then
    mvn -B -ntp -q -o package -pl agent -am -DskipTests
fi
command -v python3 >/dev/null || { echo "bench-config.sh needs python3" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name, then a Python expression of the file's text
generate() {
    python3 -c "import sys; sys.stdout.write($2)" > "$work/$1.toml"
    chmod 0600 "$work/$1.toml"
}
comment='"# an operator'"'"'s long explanation of the check below, line after line\n"'
rule='"[[rule]]\nname = \"memory-%d\"\nwhen = \"memory_used_ratio > 90%%\"\nfor = \"1m\"\n"'
generate comments-64k   "$comment * (64 * 1024 // 68)"
generate comments-256k  "$comment * (256 * 1024 // 68)"
generate comments-1m    "$comment * (1000 * 1024 // 68)"
generate blank-16k      "'\n' * 16 * 1024"
generate rules-1000     "''.join(('# rule %d\n\n' % i) + ($rule % i) for i in range(1000))"
generate array-9990     "'dense = [' + '1,' * 9990 + '1]\n'"
generate keys-300000    "''.join('k%d = 1\n' % i for i in range(300000))"

printf '| file | size | median wall time | outcome |\n| --- | --- | --- | --- |\n'
for name in comments-64k comments-256k comments-1m blank-16k rules-1000 array-9990 keys-300000; do
    file="$work/$name.toml"
    times=()
    outcome=
    for _ in $(seq "$RUNS"); do
        start=$(date +%s.%N)
        set +e
        timeout "$LIMIT" scripts/rollguard validate --config "$file" >"$work/out" 2>&1
        rc=$?
        set -e
        end=$(date +%s.%N)
        times+=("$(python3 -c "print($end - $start)")")
        if [ "$rc" = 124 ]; then
            outcome="stopped after ${LIMIT} s"
            break
        elif grep -q OutOfMemoryError "$work/out"; then
            outcome="OutOfMemoryError (exit $rc)"
        elif [ "$rc" = 0 ]; then
            outcome="valid (exit 0)"
        else
            outcome="exit $rc: $(head -c 110 "$work/out" | head -n 1 | sed "s|$work/||")"
        fi
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | python3 -c "import sys; v=[float(x) for x in sys.stdin]; print('%.2f s' % v[len(v)//2])")
    [ "$outcome" = "stopped after ${LIMIT} s" ] && median="> ${LIMIT} s"
    size=$(stat -c %s "$file" | python3 -c "import sys; n=int(sys.stdin.read()); print('%.0f KiB' % (n/1024) if n < 1024*1024 else '%.1f MiB' % (n/1024/1024))")
    printf '| %s | %s | %s | %s |\n' "$name" "$size" "$median" "$outcome"
done
echo
echo "$(date -u +%F), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -n 1)"
