#!/bin/sh
# rollguard rollback: the docker compose pattern (seed Device Operations API). The previous image tag goes into
# the compose project's .env, then `docker compose up -d` recreates what changed. Exits non-zero when the rollback
# did not take. Run by rollguard as an [action.NAME] (README: "Rollback scripts").
set -eu

usage() {
    cat <<'EOF'
Usage: docker-compose.sh [--project-dir DIR] [--to TAG] [--variable NAME] [--env-file FILE]
                         [--tags-file FILE] [--service NAME] [--dry-run]

The compose file names its image with a variable, image: registry/app:${IMAGE_TAG}, and the variable is
set in the project's .env. The rollback sets it to the previous tag and runs
`docker compose --project-directory DIR --env-file FILE up -d [SERVICE]`.

The previous tag is --to TAG, or the one deployed before the current one: the deployment appends each tag
it deploys to the tags file, one a line (echo "$TAG" >> .rollguard-tags), and the previous tag is the line
before the last line holding the current tag. Rolling back twice therefore goes back twice.

  --project-dir DIR    the compose project (default: the current directory, the action's cwd)
  --to TAG             the tag to go back to
  --variable NAME      the variable holding the tag (default IMAGE_TAG)
  --env-file FILE      where it is set (default DIR/.env)
  --tags-file FILE     the deployed tags, oldest first (default DIR/.rollguard-tags)
  --service NAME       recreate only this service
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

project=.
to=
variable=IMAGE_TAG
env_file=
tags_file=
service=
dry_run=no
while [ $# -gt 0 ]; do
    case $1 in
        --project-dir) project=${2:?--project-dir needs a directory}; shift 2 ;;
        --to) to=${2:?--to needs a tag}; shift 2 ;;
        --variable) variable=${2:?--variable needs a name}; shift 2 ;;
        --env-file) env_file=${2:?--env-file needs a file}; shift 2 ;;
        --tags-file) tags_file=${2:?--tags-file needs a file}; shift 2 ;;
        --service) service=${2:?--service needs a name}; shift 2 ;;
        --dry-run) dry_run=yes; shift ;;
        -h | --help) usage; exit 0 ;;
        *) log "unknown option $1 (see --help)"; exit 2 ;;
    esac
done
case $variable in
    '' | [0-9]* | *[!A-Za-z0-9_]*) log "--variable must be a variable name, got $variable"; exit 2 ;;
esac
project=$(cd "$project" && pwd) || fail "cannot enter the project directory"
env_file=${env_file:-$project/.env}
tags_file=${tags_file:-$project/.rollguard-tags}
log "rollback of $project: rule ${ROLLGUARD_RULE:-(none: run by hand)}, event ${ROLLGUARD_EVENT_ID:--}, deployment ${ROLLGUARD_DEPLOYMENT_ID:--} version ${ROLLGUARD_DEPLOYMENT_VERSION:--}"

current=
if [ -f "$env_file" ]; then
    current=$(sed -n "s/^$variable=//p" "$env_file" | tail -n 1 | sed -e "s/^\"\(.*\)\"$/\1/" -e "s/^'\(.*\)'$/\1/")
fi
if [ -n "$to" ]; then
    previous=$to
else
    [ -n "$current" ] || fail "$variable is not set in $env_file, so the current tag is unknown; pass --to TAG"
    [ -f "$tags_file" ] || fail "$tags_file does not exist; pass --to TAG"
    previous=$(awk -v current="$current" '
        $0 == "" { next }
        $0 == current { found = 1; answer = last }
        { last = $0 }
        END { if (found) print answer }' "$tags_file")
    [ -n "$previous" ] || fail "no tag before $current in $tags_file"
fi
case $previous in
    *[!A-Za-z0-9_.-]*) fail "$previous is not an image tag" ;;
esac
[ "$previous" != "$current" ] || fail "$variable is already $previous"

set -- docker compose --project-directory "$project" --env-file "$env_file" up -d
[ -z "$service" ] || set -- "$@" "$service"

if [ "$dry_run" = yes ]; then
    log "would set $variable=$previous in $env_file (now ${current:-unset})"
    log "would run: $*"
    log "dry run: nothing changed"
    exit 0
fi

# The .env is the operator's file: only the one line changes, through a copy renamed over it.
temporary=$env_file.rollguard.$$
if [ -f "$env_file" ]; then
    cp -p "$env_file" "$temporary"
    awk -v variable="$variable" -v value="$previous" '
        index($0, variable "=") == 1 { if (!done) print variable "=" value; done = 1; next }
        { print }
        END { if (!done) print variable "=" value }' "$env_file" >"$temporary"
else
    printf '%s=%s\n' "$variable" "$previous" >"$temporary"
fi
mv -f "$temporary" "$env_file" || { rm -f "$temporary"; fail "could not write $env_file"; }
log "set $variable=$previous in $env_file (was ${current:-unset})"

log "running: $*"
"$@" || fail "docker compose up exited with status $?"
log "rolled back to $previous"
