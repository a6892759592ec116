#!/bin/sh
# rollguard rollback: the release-symlink pattern. APP_DIR/current -> releases/<version> goes back to the
# previous release, atomically; then the service restarts and the script waits for its health URL to answer 200.
# Exits non-zero when the rollback did not take. Run by rollguard as an [action.NAME] (README: "Rollback scripts").
set -eu

usage() {
    cat <<'EOF'
Usage: symlink.sh [--app-dir DIR] [--to VERSION] [--service NAME] [--health-url URL] [--timeout SECONDS]
                  [--dry-run] [--restart-cmd PROGRAM [ARG...]]

Points APP_DIR/current (a symbolic link to releases/<version>) at the previous release: the newest
releases/ directory whose name sorts before the current one's (version order, as `sort -V`: 1.9 < 1.10),
or releases/VERSION with --to. When $ROLLGUARD_DEPLOYMENT_VERSION names a release that is no longer
current, the rollback already happened: the link is left alone and only the restart and the wait run.

  --app-dir DIR        holds current and releases/ (default /opt/app)
  --to VERSION         the release to go back to, instead of the previous one
  --service NAME       restart it with `systemctl restart NAME` after the switch
  --restart-cmd ...    restart with this program and its arguments instead (the rest of the command line)
  --health-url URL     then wait until URL answers 200 (curl), at most --timeout seconds
  --timeout SECONDS    how long to wait for the health URL (default 60)
  --dry-run            say what would be done, change nothing
EOF
}

log() {
    printf '%s\n' "$*"
}

fail() {
    printf 'rollback failed: %s\n' "$*"
    exit 1
}

app_dir=/opt/app
to=
service=
health_url=
timeout=60
dry_run=no
restart_given=no
while [ $# -gt 0 ]; do
    case $1 in
        --app-dir) app_dir=${2:?--app-dir needs a directory}; shift 2 ;;
        --to) to=${2:?--to needs a version}; shift 2 ;;
        --service) service=${2:?--service needs a unit name}; shift 2 ;;
        --health-url) health_url=${2:?--health-url needs a URL}; shift 2 ;;
        --timeout) timeout=${2:?--timeout needs a number of seconds}; shift 2 ;;
        --dry-run) dry_run=yes; shift ;;
        --restart-cmd)
            shift
            [ $# -gt 0 ] || { log "--restart-cmd needs a program"; exit 2; }
            restart_given=yes
            break
            ;;
        -h | --help) usage; exit 0 ;;
        *) log "unknown option $1 (see --help)"; exit 2 ;;
    esac
done
# What remains of "$@" is the restart command.
if [ "$restart_given" = no ]; then
    if [ -n "$service" ]; then
        set -- systemctl restart "$service"
    else
        set --
    fi
fi
timeout=${timeout%s}
case $timeout in
    '' | *[!0-9]*) log "--timeout must be a number of seconds, got $timeout"; exit 2 ;;
esac

log "rollback of $app_dir: rule ${ROLLGUARD_RULE:-(none: run by hand)}, event ${ROLLGUARD_EVENT_ID:--}, deployment ${ROLLGUARD_DEPLOYMENT_ID:--} version ${ROLLGUARD_DEPLOYMENT_VERSION:--}"

link=$app_dir/current
[ -d "$app_dir/releases" ] || fail "$app_dir/releases is not a directory"
[ -L "$link" ] || fail "$link is not a symbolic link"
target=$(readlink "$link")
current=$(basename "$target")
[ -d "$app_dir/releases/$current" ] || fail "$link points at $target, not at a directory under releases/"

switch=yes
if [ -n "$to" ]; then
    previous=$to
elif [ -n "${ROLLGUARD_DEPLOYMENT_VERSION:-}" ] && [ -d "$app_dir/releases/$ROLLGUARD_DEPLOYMENT_VERSION" ] \
        && [ "$current" != "$ROLLGUARD_DEPLOYMENT_VERSION" ]; then
    log "current is $current, not the deployed $ROLLGUARD_DEPLOYMENT_VERSION: already rolled back, the link stays"
    previous=$current
    switch=no
else
    # The releases sorted by version, then the last one before the current: names alone decide, not mtimes,
    # which a copy or a restore from backup changes.
    previous=$(cd "$app_dir/releases" && for release in *; do
        [ -d "$release" ] && printf '%s\n' "$release"
    done | { printf '%s\n' "$current"; cat; } | sort -V -u | awk -v current="$current" '
        $0 == current { print last; exit }
        { last = $0 }')
    [ -n "$previous" ] || fail "no release older than $current in $app_dir/releases"
fi
if [ "$switch" = yes ]; then
    [ -d "$app_dir/releases/$previous" ] || fail "$app_dir/releases/$previous is not a directory"
    [ "$previous" != "$current" ] || fail "$link already points at releases/$previous"
fi

if [ "$dry_run" = yes ]; then
    [ "$switch" = no ] || log "would switch $link from releases/$current to releases/$previous"
    [ $# -eq 0 ] || log "would run: $*"
    [ -z "$health_url" ] || log "would wait up to ${timeout}s for $health_url to answer 200"
    log "dry run: nothing changed"
    exit 0
fi

if [ "$switch" = yes ]; then
    # A new link beside the old one, renamed over it: no moment without a current release.
    temporary=$app_dir/.current.rollguard.$$
    ln -sfn "releases/$previous" "$temporary"
    mv -T "$temporary" "$link" || { rm -f "$temporary"; fail "could not replace $link"; }
    [ "$(readlink "$link")" = "releases/$previous" ] || fail "$link does not point at releases/$previous"
    log "switched $link from releases/$current to releases/$previous"
fi

if [ $# -gt 0 ]; then
    log "restarting: $*"
    "$@" || fail "the restart command exited with status $?"
else
    log "no --service or --restart-cmd: not restarting anything"
fi

if [ -n "$health_url" ]; then
    log "waiting up to ${timeout}s for $health_url to answer 200"
    waited=0
    while :; do
        status=$(curl --silent --output /dev/null --max-time 5 --write-out '%{http_code}' "$health_url" || true)
        if [ "$status" = 200 ]; then
            log "$health_url answers 200 after ${waited}s"
            break
        fi
        if [ "$waited" -ge "$timeout" ]; then
            fail "$health_url did not answer 200 within ${timeout}s (last answer: ${status:-none})"
        fi
        sleep 1
        waited=$((waited + 1))
    done
fi
log "rolled back to $previous"
