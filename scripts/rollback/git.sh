#!/bin/sh
# rollguard rollback: the git pattern (seed V_Track's "Git-Based Rollback"). The checkout goes back to the newest
# backup-* branch or the previous tag, local changes stashed first, then the service restarts. Exits non-zero when
# the rollback did not take. Run by rollguard as an [action.NAME] (README: "Rollback scripts").
set -eu

usage() {
    cat <<'EOF'
Usage: git.sh [--repo DIR] [--to REF] [--dry-run] [--restart-cmd PROGRAM [ARG...]]

Checks out, in the working tree of --repo (default: the current directory, the action's cwd):
  --to REF             that branch, tag or commit; otherwise
                       the newest backup-* branch (by commit date), as the V_Track checklist makes before
                       each deployment; otherwise
                       the previous tag: the newest tag reachable from HEAD, or the one before it when HEAD
                       is exactly at a tag.
Local changes are stashed first (git stash push --include-untracked), as the checklist does.

  --restart-cmd ...    then restart with this program and its arguments (the rest of the command line)
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

repo=.
to=
dry_run=no
restart_given=no
while [ $# -gt 0 ]; do
    case $1 in
        --repo) repo=${2:?--repo needs a directory}; shift 2 ;;
        --to) to=${2:?--to needs a ref}; shift 2 ;;
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
[ "$restart_given" = yes ] || set --

cd "$repo" || fail "cannot enter $repo"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || fail "$repo is not a git working tree"
log "rollback of $(pwd): rule ${ROLLGUARD_RULE:-(none: run by hand)}, event ${ROLLGUARD_EVENT_ID:--}, deployment ${ROLLGUARD_DEPLOYMENT_ID:--} version ${ROLLGUARD_DEPLOYMENT_VERSION:--}"

before=$(git rev-parse --verify -q HEAD) || fail "the repository has no commit"
if [ -n "$to" ]; then
    target=$to
    why="--to"
else
    target=$(git for-each-ref --sort=-committerdate --count=1 --format='%(refname:short)' 'refs/heads/backup-*')
    why="the newest backup branch"
    if [ -z "$target" ]; then
        why="the previous tag"
        if exact=$(git describe --tags --exact-match HEAD 2>/dev/null); then
            target=$(git describe --tags --abbrev=0 "$exact^" 2>/dev/null) \
                || fail "no backup-* branch, and no tag before $exact"
        else
            target=$(git describe --tags --abbrev=0 HEAD 2>/dev/null) || fail "no backup-* branch and no tag"
        fi
    fi
fi
wanted=$(git rev-parse --verify -q "$target^{commit}") || fail "$target is not a branch, tag or commit here"

if [ "$dry_run" = yes ]; then
    [ -z "$(git status --porcelain)" ] || log "would stash the local changes"
    log "would check out $target ($why, $(git log -1 --format='%h %s' "$wanted")) instead of $(git log -1 --format='%h %s' HEAD)"
    [ $# -eq 0 ] || log "would run: $*"
    log "dry run: nothing changed"
    exit 0
fi

if [ -n "$(git status --porcelain)" ]; then
    # A stash is a commit: the agent's user may have no git identity of its own.
    identity=
    if [ -z "$(git config user.email || true)" ]; then
        identity="-c user.name=rollguard -c user.email=rollguard@$(hostname 2>/dev/null || echo localhost)"
    fi
    # shellcheck disable=SC2086 # the options are meant to split into words
    git $identity stash push --include-untracked -q -m "rollguard: before rolling back to $target" \
        || fail "could not stash the local changes"
    log "stashed the local changes: git stash list shows them"
fi
git -c advice.detachedHead=false checkout -q "$target" || fail "git checkout $target failed"
[ "$(git rev-parse HEAD)" = "$wanted" ] || fail "HEAD is $(git rev-parse --short HEAD), not $target"
log "checked out $target ($why): $(git log -1 --format='%h %s' HEAD), was $(git rev-parse --short "$before")"

if [ $# -gt 0 ]; then
    log "restarting: $*"
    "$@" || fail "the restart command exited with status $?"
else
    log "no --restart-cmd: not restarting anything"
fi
log "rolled back to $target"
