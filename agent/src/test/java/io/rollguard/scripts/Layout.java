package io.rollguard.scripts;

import java.util.List;

/** The installed layout that scripts/install.sh and the Debian package share (prefix /usr). */
final class Layout {
    static final List<String> FILES = List.of(
            "/usr/bin/rollguard",
            "/usr/lib/rollguard/rollguard.jar",
            "/usr/lib/rollguard/rollback/docker-compose.sh",
            "/usr/lib/rollguard/rollback/git.sh",
            "/usr/lib/rollguard/rollback/symlink.sh",
            "/lib/systemd/system/rollguard.service",
            "/etc/rollguard/rollguard.toml",
            "/etc/default/rollguard",
            "/usr/share/rollguard/systemd/host-tmp.conf");
    static final String STATE_DIRECTORY = "/var/lib/rollguard";

    private Layout() {
    }
}
