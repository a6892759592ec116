#!/bin/sh
# Installs rollguard from this checkout's built jar onto a systemd host: the system user, the jar, the launcher,
# the example rollback scripts, a starter configuration and an API token, the state directory and the unit; then
# enables and starts the service. Idempotent: a second run changes nothing, and files under /etc/rollguard that
# exist are never overwritten. `scripts/install.sh --help` says more.
set -eu

usage() {
    cat <<'EOF'
Usage: scripts/install.sh [--prefix DIR] [--no-start] [--help]

Installs rollguard from agent/target/rollguard.jar (run `mvn -B -ntp package` first):

  PREFIX/bin/rollguard                     the launcher
  PREFIX/lib/rollguard/rollguard.jar       the agent, and rollguard.jsa, its class-data archive
  PREFIX/lib/rollguard/rollback/*.sh       the example rollback scripts
  /etc/rollguard/rollguard.toml            a commented starter configuration (kept if it exists)
  /etc/rollguard/token                     a random API token, root:rollguard 0640 (kept if it exists)
  /var/lib/rollguard                       the state directory, mode 0750
  /lib/systemd/system/rollguard.service    the unit (/etc/systemd/system/ when PREFIX is not /usr)

and the system user rollguard; then `systemctl daemon-reload` and `systemctl enable --now rollguard`.

  --prefix DIR   where the launcher and the jar go (default /usr; /usr/local is the other usual one)
  --no-start     enable the service but do not start it
  --help         this text

DESTDIR=/some/dir stages every file under that directory instead, as a non-root user too: no user is
created, nothing is chowned (it says what it would do) and systemctl is not run.
EOF
}

say() {
    printf '%s\n' "$*"
}

die() {
    printf 'install.sh: %s\n' "$*" >&2
    exit 1
}

prefix=/usr
start=yes
while [ $# -gt 0 ]; do
    case $1 in
        --prefix)
            [ $# -ge 2 ] || { printf 'install.sh: --prefix needs a directory\n' >&2; exit 2; }
            prefix=$2
            shift 2
            ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        --no-start) start=no; shift ;;
        -h | --help) usage; exit 0 ;;
        *) printf 'install.sh: unknown option %s (see --help)\n' "$1" >&2; exit 2 ;;
    esac
done
case $prefix in
    /*) prefix=${prefix%/} ;;
    *) printf 'install.sh: --prefix must be an absolute path, got %s\n' "$prefix" >&2; exit 2 ;;
esac

destdir=${DESTDIR:-}
if [ -n "$destdir" ]; then
    case $destdir in
        /*) destdir=${destdir%/} ;;
        *) destdir=$(pwd)/$destdir ;;
    esac
elif [ "$(id -u)" != 0 ]; then
    die "run as root (sudo $0), or set DESTDIR to stage the files in a directory"
fi

source_root=$(cd "$(dirname "$0")/.." && pwd)
jar_source=$source_root/agent/target/rollguard.jar
[ -f "$jar_source" ] || die "$jar_source does not exist: run mvn -B -ntp package first (in $source_root)"

bindir=$prefix/bin
libdir=$prefix/lib/rollguard
if [ "$prefix" = /usr ]; then
    unitdir=/lib/systemd/system
else
    unitdir=/etc/systemd/system     # a unit for a local install belongs to the administrator's directory
fi
confdir=/etc/rollguard
statedir=/var/lib/rollguard
user=rollguard
changed=no

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# A file is written only when its content differs, through a temporary file and a rename, so a second run
# leaves every file (and its mtime) as it was.
put() { # MODE SOURCE TARGET
    target=$destdir$3
    mkdir -p "$(dirname "$target")"
    if [ -f "$target" ] && cmp -s "$2" "$target"; then
        fix_mode "$1" "$target"
        return 0
    fi
    cp "$2" "$target.rollguard-new"
    chmod "$1" "$target.rollguard-new"
    mv -f "$target.rollguard-new" "$target"
    say "installed $3"
    changed=yes
}

# Configuration and secrets belong to the operator once they exist.
keep() { # MODE SOURCE TARGET: fails (returns 1) when the target exists and was kept
    if [ -e "$destdir$3" ]; then
        say "kept $3 (it exists)"
        return 1
    fi
    put "$@"
}

fix_mode() { # MODE PATH
    if [ "$(stat -c %a "$2")" != "${1#0}" ]; then
        chmod "$1" "$2"
        say "mode $1 ${2#"$destdir"}"
        changed=yes
    fi
}

directory() { # MODE PATH
    if [ ! -d "$destdir$2" ]; then
        mkdir -p "$destdir$2"
        say "created $2"
        changed=yes
    fi
    fix_mode "$1" "$destdir$2"
}

owner() { # USER:GROUP PATH
    if [ -n "$destdir" ]; then
        say "would chown $1 $2"
    elif [ "$(stat -c %U:%G "$2")" != "$1" ]; then
        chown "$1" "$2"
        say "owner $1 $2"
        changed=yes
    fi
}

# The system user: no home directory of its own to log into, no login shell.
nologin=/usr/sbin/nologin
[ -x "$nologin" ] || nologin=/sbin/nologin
if [ -n "$destdir" ]; then
    say "would create the system user $user: useradd --system --user-group --home-dir $statedir --no-create-home --shell $nologin $user"
elif ! id -u "$user" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$statedir" --no-create-home --shell "$nologin" "$user"
    say "created the system user $user"
    changed=yes
fi

jar_changed=yes
if [ -f "$destdir$libdir/rollguard.jar" ] && cmp -s "$jar_source" "$destdir$libdir/rollguard.jar"; then
    jar_changed=no
fi
put 0644 "$jar_source" "$libdir/rollguard.jar"
put 0755 "$source_root/scripts/rollguard" "$bindir/rollguard"
for script in symlink.sh git.sh docker-compose.sh; do
    put 0755 "$source_root/scripts/rollback/$script" "$libdir/rollback/$script"
done

# The unit and the starter configuration name /usr/bin and /usr/lib; another prefix gets its own paths.
sed -e "s|^ExecStart=/usr/bin/rollguard |ExecStart=$bindir/rollguard |" \
    "$source_root/systemd/rollguard.service" >"$scratch/rollguard.service"
put 0644 "$scratch/rollguard.service" "$unitdir/rollguard.service"
sed -e "s|/usr/lib/rollguard/|$libdir/|g" "$source_root/packaging/rollguard.toml" >"$scratch/rollguard.toml"

# A drop-in an operator installs for configurations that need the host's /tmp (the file says how), the Prometheus
# and Grafana files, the example configurations and bash completion: the package's layout.
put 0644 "$source_root/systemd/host-tmp.conf" "$prefix/share/rollguard/systemd/host-tmp.conf"
for file in "$source_root"/config/prometheus/*; do
    put 0644 "$file" "$prefix/share/rollguard/prometheus/$(basename "$file")"
done
put 0644 "$source_root/config/grafana/rollguard.json" "$prefix/share/rollguard/grafana/rollguard.json"
for file in "$source_root"/config/*.toml; do
    put 0644 "$file" "$prefix/share/doc/rollguard/examples/$(basename "$file")"
done
put 0644 "$source_root/packaging/rollguard.bash-completion" "$prefix/share/bash-completion/completions/rollguard"
put 0644 "$source_root/packaging/rollguard.1.gz" "$prefix/share/man/man1/rollguard.1.gz"
put 0644 "$source_root/packaging/rollguard.toml.5.gz" "$prefix/share/man/man5/rollguard.toml.5.gz"
put 0644 "$source_root/README.md" "$prefix/share/doc/rollguard/README.md"

# The unit's environment (ROLLGUARD_JAVA_OPTS): the operator's once it exists, as the package's conffile.
keep 0644 "$source_root/packaging/default/rollguard" /etc/default/rollguard || true

directory 0755 "$confdir"
# The configuration and the token belong to the operator once they exist: kept as they are, owner and mode too.
# Made here, both are root's and readable by the group rollguard: the agent reads them, `rollguard validate` run
# by root or by rollguard trusts them (StrictModes), and a deploy user joins the group to send the token.
if keep 0640 "$scratch/rollguard.toml" "$confdir/rollguard.toml"; then
    owner "root:$user" "$confdir/rollguard.toml"
fi
if [ -e "$destdir$confdir/token" ]; then
    say "kept $confdir/token (it exists)"
else
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '=\n' | tr '+/' '-_' >"$scratch/token" && echo >>"$scratch/token")
    put 0640 "$scratch/token" "$confdir/token"
    owner "root:$user" "$confdir/token"
fi
directory 0750 "$statedir"
owner "$user:$user" "$statedir"

# The class-data archive is made by the JVM that will use it, with the jar at its final path: not when staging.
archive=$libdir/rollguard.jsa
if [ -n "$destdir" ]; then
    say "DESTDIR is set: no class-data archive (it is made on the host, by its JVM, at $archive)"
elif [ "$jar_changed" = no ] && [ -f "$archive" ]; then
    :
elif ! command -v "${JAVA:-java}" >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
    say "java not found: no class-data archive; rollguard needs a Java 17 or later runtime (apt install openjdk-17-jre-headless)"
else
    # rollguard --make-archive: a short training run of the agent (loopback, port 0, a scratch state directory)
    # records the classes a running agent loads.
    if ROLLGUARD_JAR=$libdir/rollguard.jar "$bindir/rollguard" --make-archive >"$scratch/cds.log" 2>&1 \
            && [ -f "$archive" ]; then
        say "created $archive"
        changed=yes
    else
        rm -f "$archive"
        say "could not create the class-data archive (the agent starts without it): $(grep -v '\[warning\]\[cds' "$scratch/cds.log" | tail -n 1)"
    fi
fi

if [ -n "$destdir" ]; then
    say "DESTDIR is set: not running systemctl (daemon-reload, enable$([ "$start" = yes ] && printf ' --now') rollguard)"
elif ! command -v systemctl >/dev/null 2>&1; then
    say "systemctl not found: the unit is installed but not enabled"
elif [ ! -d /run/systemd/system ]; then
    say "systemd is not running on this host: the unit is installed but not enabled"
else
    was_active=no
    if systemctl is-active --quiet rollguard.service; then
        was_active=yes
    fi
    systemctl daemon-reload
    if [ "$start" = yes ]; then
        systemctl enable --now rollguard.service
        if [ "$was_active" = yes ] && [ "$changed" = yes ]; then
            systemctl restart rollguard.service     # the running agent is the old one
        fi
        say "rollguard.service is enabled and started; systemctl status rollguard"
    else
        systemctl enable rollguard.service
        say "rollguard.service is enabled, not started (--no-start)"
    fi
fi
[ "$changed" = yes ] || say "nothing to change: rollguard is installed"
