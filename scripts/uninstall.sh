#!/bin/sh
# Removes what scripts/install.sh installed: stops and disables the service, removes the launcher, the jar, the
# rollback scripts and the unit. The configuration, the token and the state (the journal, the latches) stay
# unless --purge, which also removes the system user. `scripts/uninstall.sh --help` says more.
set -eu

usage() {
    cat <<'EOF'
Usage: scripts/uninstall.sh [--prefix DIR] [--purge] [--help]

Stops and disables rollguard.service, then removes PREFIX/bin/rollguard, PREFIX/lib/rollguard and the unit.
/etc/rollguard (the configuration and the token), /etc/default/rollguard (the unit's environment) and
/var/lib/rollguard (the journal and the state) are kept.

  --prefix DIR   the prefix given to install.sh (default /usr)
  --purge        also remove /etc/rollguard, /etc/default/rollguard, /var/lib/rollguard and the system user
  --help         this text

DESTDIR=/some/dir removes the files staged there by install.sh; systemctl and userdel are not run.
EOF
}

say() {
    printf '%s\n' "$*"
}

prefix=/usr
purge=no
while [ $# -gt 0 ]; do
    case $1 in
        --prefix)
            [ $# -ge 2 ] || { printf 'uninstall.sh: --prefix needs a directory\n' >&2; exit 2; }
            prefix=$2
            shift 2
            ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        --purge) purge=yes; shift ;;
        -h | --help) usage; exit 0 ;;
        *) printf 'uninstall.sh: unknown option %s (see --help)\n' "$1" >&2; exit 2 ;;
    esac
done
case $prefix in
    /*) prefix=${prefix%/} ;;
    *) printf 'uninstall.sh: --prefix must be an absolute path, got %s\n' "$prefix" >&2; exit 2 ;;
esac

destdir=${DESTDIR:-}
if [ -n "$destdir" ]; then
    case $destdir in
        /*) destdir=${destdir%/} ;;
        *) destdir=$(pwd)/$destdir ;;
    esac
elif [ "$(id -u)" != 0 ]; then
    printf 'uninstall.sh: run as root (sudo %s), or set DESTDIR to remove staged files\n' "$0" >&2
    exit 1
fi

if [ "$prefix" = /usr ]; then
    unit=/lib/systemd/system/rollguard.service
else
    unit=/etc/systemd/system/rollguard.service
fi
systemd=no
if [ -z "$destdir" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemd=yes
fi

if [ "$systemd" = yes ] && [ -f "$unit" ]; then
    systemctl disable --now rollguard.service || true
fi

remove() { # PATH...
    for path in "$@"; do
        if [ -e "$destdir$path" ] || [ -L "$destdir$path" ]; then
            rm -rf "$destdir$path"
            say "removed $path"
        fi
    done
}

remove "$prefix/bin/rollguard" "$prefix/lib/rollguard" "$prefix/share/rollguard" "$prefix/share/doc/rollguard" \
    "$prefix/share/bash-completion/completions/rollguard" "$prefix/share/man/man1/rollguard.1.gz" \
    "$prefix/share/man/man5/rollguard.toml.5.gz" "$unit"
if [ "$systemd" = yes ]; then
    systemctl daemon-reload
fi

if [ "$purge" = yes ]; then
    remove /etc/rollguard /etc/default/rollguard /var/lib/rollguard
    if [ -n "$destdir" ]; then
        say "would remove the system user rollguard: userdel rollguard"
    elif id -u rollguard >/dev/null 2>&1; then
        userdel rollguard
        say "removed the system user rollguard"
    fi
else
    for kept in /etc/rollguard /etc/default/rollguard /var/lib/rollguard; do
        if [ -e "$destdir$kept" ]; then
            say "kept $kept (--purge removes it)"
        fi
    done
fi
