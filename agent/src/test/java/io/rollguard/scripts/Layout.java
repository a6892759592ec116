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
            "/usr/share/rollguard/systemd/host-tmp.conf",
            "/usr/share/bash-completion/completions/rollguard",
            "/usr/share/man/man1/rollguard.1.gz",
            "/usr/share/man/man5/rollguard.toml.5.gz",
            "/usr/share/doc/rollguard/README.md",
            "/usr/share/rollguard/prometheus/rollguard.rules.yml",
            "/usr/share/rollguard/prometheus/scrape.yml",
            "/usr/share/rollguard/prometheus/alertmanager.yml",
            "/usr/share/rollguard/grafana/rollguard.json",
            "/usr/share/doc/rollguard/examples/vtrack.toml",
            "/usr/share/doc/rollguard/examples/giflab.toml");
    static final String STATE_DIRECTORY = "/var/lib/rollguard";

    private Layout() {
    }
}
