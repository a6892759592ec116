package io.rollguard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * install.sh and the Debian package as root, for real, on a throw-away copy of this host: a private mount namespace
 * ({@code unshare -m}) lays an overlay over {@code /} whose upper layer is a temporary directory, and the installer
 * runs chrooted into it. The user is created, files are chowned, the class-data archive is made, dpkg runs the
 * maintainer scripts; the host sees none of it. Runs as root where unshare and overlayfs work, and is skipped,
 * saying so, elsewhere. systemd does not run in the chroot, so enabling is covered only as far as
 * deb-systemd-helper's symbolic links.
 */
class InstallOnAHostIT {
    @TempDir
    Path dir;

    @BeforeEach
    void needsRootAndOverlays() throws Exception {
        Assumptions.assumeTrue(run("id", "-u").strip().equals("0"), "not root: skipped");
        Assumptions.assumeTrue(run("sh", "-c", "command -v unshare && command -v chroot").lines().count() == 2,
                "unshare or chroot is missing: skipped");
        Assumptions.assumeFalse(run("sh", "-c", "getent passwd rollguard || true").contains("rollguard"),
                "this host has a user rollguard already: skipped");
        String probe = inOverlay("[ -x \"$M" + Script.SCRIPTS + "/install.sh\" ] && echo overlay-ok");
        Assumptions.assumeTrue(probe.contains("overlay-ok"),
                () -> "cannot lay an overlay over / in a private mount namespace here: skipped (" + probe.strip() + ")");
    }

    @Test
    void installShAsRootCreatesTheUserOwnersAndArchiveAndUninstallPurgesThem() throws Exception {
        String output = inOverlay("""
                echo '== install'; chroot "$M" %1$s/install.sh
                echo '== again'; chroot "$M" %1$s/install.sh
                echo '== state'
                chroot "$M" stat -c '%%U:%%G %%a %%n' /etc/rollguard/rollguard.toml /etc/rollguard/token /var/lib/rollguard \
                    /usr/lib/rollguard/rollguard.jsa /usr/bin/rollguard
                chroot "$M" getent passwd rollguard
                chroot "$M" env ROLLGUARD_JAVA_OPTS=-Xshare:on /usr/bin/rollguard --version
                echo '== validate'
                chroot "$M" /usr/bin/rollguard validate --config /etc/rollguard/rollguard.toml
                chroot --userspec=rollguard:rollguard "$M" /usr/bin/rollguard validate --config /etc/rollguard/rollguard.toml
                echo '== purge'; chroot "$M" %1$s/uninstall.sh --purge
                chroot "$M" getent passwd rollguard || echo 'no user rollguard'
                """.formatted(Script.SCRIPTS));

        assertThat(section(output, "install")).contains("created the system user rollguard",
                "owner root:rollguard /etc/rollguard/rollguard.toml", "owner root:rollguard /etc/rollguard/token",
                "created /usr/lib/rollguard/rollguard.jsa", "the unit is installed but not enabled");
        assertThat(section(output, "again")).contains("nothing to change: rollguard is installed")
                .doesNotContain("installed /", "owner ", "created ");
        assertThat(section(output, "state")).contains("root:rollguard 640 /etc/rollguard/rollguard.toml",
                "root:rollguard 640 /etc/rollguard/token", "rollguard:rollguard 750 /var/lib/rollguard",
                "root:root 644 /usr/lib/rollguard/rollguard.jsa", "root:root 755 /usr/bin/rollguard")
                .containsPattern("rollguard:x:\\d+:\\d+::/var/lib/rollguard:/(usr/)?sbin/nologin")
                .as("the archive is usable: -Xshare:on fails otherwise").containsPattern("\nrollguard \\S+\n");
        assertValidatedByRootAndRollguard(section(output, "validate"));
        assertThat(section(output, "purge")).contains("removed /usr/bin/rollguard", "removed /etc/rollguard",
                "removed the system user rollguard", "no user rollguard");
    }

    @Test
    void theDebianPackageInstallsUpgradesRemovesAndPurges() throws Exception {
        Path deb;
        try (Stream<Path> built = Files.list(Path.of("target"))) {
            deb = built.filter(p -> p.getFileName().toString().matches("rollguard_.+_all\\.deb")).findFirst()
                    .orElse(null);
        }
        Assumptions.assumeTrue(deb != null, "no target/rollguard_*_all.deb (mvn -B -ntp -Pdeb package): skipped");
        Assumptions.assumeTrue(!run("sh", "-c", "command -v dpkg || true").isBlank(), "dpkg is missing: skipped");
        Path copy = Files.copy(deb, dir.resolve("rollguard.deb"));

        String output = inOverlay("""
                echo '== install'; chroot "$M" dpkg -i %1$s 2>&1
                echo '== state'
                chroot "$M" stat -c '%%U:%%G %%a %%n' /etc/rollguard/rollguard.toml /etc/rollguard/token /var/lib/rollguard \
                    /usr/lib/rollguard/rollguard.jsa
                chroot "$M" getent passwd rollguard
                chroot "$M" readlink /etc/systemd/system/multi-user.target.wants/rollguard.service
                chroot "$M" env ROLLGUARD_JAVA_OPTS=-Xshare:on /usr/bin/rollguard --version
                echo '== validate'
                chroot "$M" /usr/bin/rollguard validate --config /etc/rollguard/rollguard.toml
                chroot --userspec=rollguard:rollguard "$M" /usr/bin/rollguard validate --config /etc/rollguard/rollguard.toml
                echo '== upgrade'
                echo '# the operator was here' >> "$M/etc/rollguard/rollguard.toml"
                cp "$M/etc/rollguard/token" "$M/tmp/token.before"
                chroot "$M" dpkg -i --force-confold %1$s >/dev/null 2>&1
                tail -n 1 "$M/etc/rollguard/rollguard.toml"
                cmp -s "$M/tmp/token.before" "$M/etc/rollguard/token" && echo 'token kept'
                echo '== remove'; chroot "$M" dpkg -r rollguard >/dev/null 2>&1
                ls "$M/etc/rollguard" "$M/usr/lib/rollguard" 2>&1
                echo '== purge'; chroot "$M" dpkg -P rollguard 2>&1
                ls "$M/etc/rollguard" "$M/etc/default/rollguard" 2>&1
                chroot "$M" getent passwd rollguard || echo 'no user rollguard'
                chroot "$M" dpkg-statoverride --list | grep rollguard || echo 'no statoverride'
                """.formatted(copy));

        assertThat(section(output, "install")).contains("Setting up rollguard").doesNotContain("warning", "error");
        assertThat(section(output, "state")).contains("root:rollguard 640 /etc/rollguard/rollguard.toml",
                "root:rollguard 640 /etc/rollguard/token", "rollguard:rollguard 750 /var/lib/rollguard",
                "/usr/lib/rollguard/rollguard.jsa", "/lib/systemd/system/rollguard.service")
                .containsPattern("rollguard:x:\\d+:\\d+::/var/lib/rollguard:/usr/sbin/nologin")
                .containsPattern("\nrollguard \\S+\n");
        assertValidatedByRootAndRollguard(section(output, "validate"));
        assertThat(section(output, "upgrade")).contains("# the operator was here", "token kept");
        assertThat(section(output, "remove")).contains("rollguard.toml", "token")
                .contains("/usr/lib/rollguard': No such file or directory");
        assertThat(section(output, "purge")).contains("/etc/rollguard': No such file or directory",
                "/etc/default/rollguard': No such file or directory", "no statoverride")
                .as("the system user stays, as Debian's node_exporter's does")
                .containsPattern("rollguard:x:\\d+:\\d+::/var/lib/rollguard:/usr/sbin/nologin");
    }

    /** The installed configuration and token are trusted (StrictModes) by root and by the agent's user alike. */
    private static void assertValidatedByRootAndRollguard(String section) {
        assertThat(section).isEqualTo("== validate\n/etc/rollguard/rollguard.toml: OK\n/etc/rollguard/rollguard.toml: OK\n");
    }

    /** Runs the script body with $M the merged root of an overlay over /, in a private mount namespace. */
    private String inOverlay(String body) throws IOException, InterruptedException {
        Path overlay = Files.createDirectories(dir.resolve("overlay-" + System.nanoTime()));
        Path driver = Files.writeString(overlay.resolve("driver.sh"), """
                set -e
                M=%1$s/merged
                mkdir -p %1$s/upper %1$s/work "$M"
                mount -t overlay overlay -o lowerdir=/,upperdir=%1$s/upper,workdir=%1$s/work "$M"
                mount --rbind /dev "$M/dev"
                mount -t proc proc "$M/proc"
                set +e
                %2$s
                """.formatted(overlay, body));
        return run("unshare", "-m", "--propagation", "private", "sh", driver.toString());
    }

    private static String section(String output, String name) {
        int start = output.indexOf("== " + name + "\n");
        assertThat(start).as("section %s in:%n%s", name, output).isNotNegative();
        int end = output.indexOf("\n== ", start + 1);
        return output.substring(start, end < 0 ? output.length() : end + 1);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("ROLLGUARD_") || name.equals("DESTDIR"));
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return output;
    }
}
