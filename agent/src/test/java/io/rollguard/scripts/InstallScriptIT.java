package io.rollguard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.scripts.Script.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/install.sh} and {@code scripts/uninstall.sh} into a DESTDIR, as a packager or a test stages them:
 * no root, no user, no systemctl. Runs after package, since install.sh installs the shaded jar.
 */
class InstallScriptIT {
    @TempDir
    Path dir;

    @Test
    void installsTheLayoutWithItsModes() throws Exception {
        Path root = dir.resolve("root");

        Result result = install(root);

        assertThat(result.exitCode()).as(result.output()).isZero();
        for (String file : Layout.FILES) {
            assertThat(root.resolve(file.substring(1))).as(file).isRegularFile();
        }
        assertThat(mode(root, "/usr/bin/rollguard")).isEqualTo("rwxr-xr-x");
        assertThat(mode(root, "/usr/lib/rollguard/rollguard.jar")).isEqualTo("rw-r--r--");
        assertThat(mode(root, "/usr/lib/rollguard/rollback/symlink.sh")).isEqualTo("rwxr-xr-x");
        assertThat(mode(root, "/lib/systemd/system/rollguard.service")).isEqualTo("rw-r--r--");
        assertThat(mode(root, "/etc/rollguard/rollguard.toml")).isEqualTo("rw-r-----");
        assertThat(mode(root, "/etc/rollguard/token")).isEqualTo("rw-r-----");
        assertThat(mode(root, "/var/lib/rollguard")).isEqualTo("rwxr-x---");
        assertThat(Files.mismatch(root.resolve("usr/lib/rollguard/rollguard.jar"), Path.of("target/rollguard.jar")))
                .isEqualTo(-1);
        assertThat(Files.readString(root.resolve("etc/rollguard/token")).strip()).matches("[A-Za-z0-9_-]{43}");
        assertThat(Files.readString(root.resolve("etc/rollguard/rollguard.toml")))
                .isEqualTo(Files.readString(Path.of("../packaging/rollguard.toml")));
        assertThat(Files.readString(root.resolve("lib/systemd/system/rollguard.service")))
                .isEqualTo(Files.readString(Path.of("../systemd/rollguard.service")));
        assertThat(result.output()).contains(
                "would create the system user rollguard: useradd --system --user-group --home-dir /var/lib/rollguard",
                "would chown root:rollguard /etc/rollguard/rollguard.toml",
                "would chown root:rollguard /etc/rollguard/token",
                "would chown rollguard:rollguard /var/lib/rollguard",
                "DESTDIR is set: no class-data archive",
                "DESTDIR is set: not running systemctl (daemon-reload, enable --now rollguard)");
        assertThat(root.resolve("usr/lib/rollguard/rollguard.jsa")).doesNotExist();
    }

    /**
     * The class-data archive as install.sh and the package make it ({@code rollguard --make-archive}: a short
     * training run of the agent): the launcher uses it (-Xshare:on fails when it cannot), and one that no longer
     * fits, here because the jar moved, is ignored quietly.
     */
    @Test
    void theLauncherUsesAFittingArchiveAndQuietlyIgnoresAStaleOne() throws Exception {
        Path installed = Files.createDirectories(dir.resolve("installed"));
        Path jar = Files.copy(Path.of("target/rollguard.jar"), installed.resolve("rollguard.jar"));
        Path launcher = Script.SCRIPTS.resolve("rollguard");
        Result dump = run(launcher, Map.of("ROLLGUARD_JAR", jar.toString()), "--make-archive");
        assertThat(dump.exitCode()).as(dump.output()).isZero();
        assertThat(dump.output()).isEqualTo("created " + installed.resolve("rollguard.jsa") + "\n");
        assertThat(installed.resolve("rollguard.jsa")).isRegularFile();

        Result shared = run(launcher, Map.of("ROLLGUARD_JAR", jar.toString(), "ROLLGUARD_JAVA_OPTS", "-Xshare:on"),
                "--version");
        Path moved = Files.createDirectories(dir.resolve("moved"));
        Files.copy(jar, moved.resolve("rollguard.jar"));
        Files.copy(installed.resolve("rollguard.jsa"), moved.resolve("rollguard.jsa"));
        Result stale = run(launcher, Map.of("ROLLGUARD_JAR", moved.resolve("rollguard.jar").toString()), "--version");

        assertThat(shared.exitCode()).as("-Xshare:on with the archive: %s", shared.output()).isZero();
        assertThat(stale.exitCode()).isZero();
        assertThat(stale.output()).as("no warning about the stale archive").matches("rollguard \\S+\n");
    }

    @Test
    void theInstalledLauncherRunsTheInstalledJar() throws Exception {
        Path root = dir.resolve("root");
        assertThat(install(root).exitCode()).isZero();

        Result version = run(root.resolve("usr/bin/rollguard"), "--version");
        Result validate = run(root.resolve("usr/bin/rollguard"), "validate", "--config",
                root.resolve("etc/rollguard/rollguard.toml").toString());

        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output()).startsWith("rollguard ").doesNotContain("warning");
        assertThat(validate.exitCode()).as(validate.output()).isZero();
        assertThat(validate.output()).endsWith(": OK\n");
    }

    @Test
    void aSecondRunChangesNothingAndKeepsTheOperatorsFiles() throws Exception {
        Path root = dir.resolve("root");
        assertThat(install(root).exitCode()).isZero();
        Map<String, String> first = tree(root);

        Result second = install(root);

        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(tree(root)).as("the tree after a second run").isEqualTo(first);
        assertThat(second.output()).contains("kept /etc/rollguard/rollguard.toml (it exists)",
                "kept /etc/rollguard/token (it exists)", "nothing to change: rollguard is installed")
                .doesNotContain("installed ");

        Files.writeString(root.resolve("etc/rollguard/rollguard.toml"), "[agent]\ninterval = \"10s\"\n");
        Files.writeString(root.resolve("etc/rollguard/token"), "the operator's token\n");
        Result third = install(root);

        assertThat(third.exitCode()).as(third.output()).isZero();
        assertThat(Files.readString(root.resolve("etc/rollguard/rollguard.toml"))).isEqualTo("[agent]\ninterval = \"10s\"\n");
        assertThat(Files.readString(root.resolve("etc/rollguard/token"))).isEqualTo("the operator's token\n");
    }

    @Test
    void anotherPrefixGetsItsOwnPathsAndTheAdministratorsUnitDirectory() throws Exception {
        Path root = dir.resolve("root");

        Result result = install(root, "--prefix", "/usr/local", "--no-start");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(root.resolve("usr/local/bin/rollguard")).isRegularFile();
        assertThat(root.resolve("usr/local/lib/rollguard/rollguard.jar")).isRegularFile();
        assertThat(root.resolve("lib")).doesNotExist();
        assertThat(Files.readAllLines(root.resolve("etc/systemd/system/rollguard.service")))
                .contains("ExecStart=/usr/local/bin/rollguard run --config /etc/rollguard/rollguard.toml");
        assertThat(Files.readString(root.resolve("etc/rollguard/rollguard.toml")))
                .contains("\"/usr/local/lib/rollguard/rollback/symlink.sh\"").doesNotContain("/usr/lib/rollguard/");
        assertThat(result.output()).contains("not running systemctl (daemon-reload, enable rollguard)");
    }

    @Test
    void uninstallKeepsConfigurationAndStateUnlessPurged() throws Exception {
        Path root = dir.resolve("root");
        assertThat(install(root).exitCode()).isZero();
        Files.writeString(root.resolve("var/lib/rollguard/events.jsonl"), "{}\n");

        Result uninstall = Script.of("uninstall.sh").env("DESTDIR", root.toString()).run();

        assertThat(uninstall.exitCode()).as(uninstall.output()).isZero();
        assertThat(root.resolve("usr/bin/rollguard")).doesNotExist();
        assertThat(root.resolve("usr/lib/rollguard")).doesNotExist();
        assertThat(root.resolve("lib/systemd/system/rollguard.service")).doesNotExist();
        assertThat(root.resolve("etc/rollguard/rollguard.toml")).isRegularFile();
        assertThat(root.resolve("etc/rollguard/token")).isRegularFile();
        assertThat(root.resolve("var/lib/rollguard/events.jsonl")).isRegularFile();
        assertThat(uninstall.output()).contains("removed /usr/bin/rollguard", "kept /etc/rollguard (--purge removes it)",
                "kept /var/lib/rollguard (--purge removes it)");

        Result purge = Script.of("uninstall.sh").env("DESTDIR", root.toString()).run("--purge");

        assertThat(purge.exitCode()).as(purge.output()).isZero();
        assertThat(root.resolve("etc/rollguard")).doesNotExist();
        assertThat(root.resolve("var/lib/rollguard")).doesNotExist();
        assertThat(purge.output()).contains("removed /etc/rollguard", "removed /var/lib/rollguard",
                "would remove the system user rollguard: userdel rollguard");
    }

    @Test
    void aPurgeRightAwayRemovesEverything() throws Exception {
        Path root = dir.resolve("root");
        assertThat(install(root, "--prefix", "/opt/rollguard").exitCode()).isZero();

        Result purge = Script.of("uninstall.sh").env("DESTDIR", root.toString()).run("--prefix", "/opt/rollguard", "--purge");

        assertThat(purge.exitCode()).as(purge.output()).isZero();
        try (Stream<Path> left = Files.walk(root)) {
            assertThat(left.filter(Files::isRegularFile)).as("files left").isEmpty();
        }
    }

    @Test
    void helpAndUnknownOptions() throws Exception {
        Result help = Script.of("install.sh").run("--help");
        Result unknown = Script.of("install.sh").env("DESTDIR", dir.toString()).run("--frobnicate");

        assertThat(help.exitCode()).isZero();
        assertThat(help.output()).startsWith("Usage: scripts/install.sh [--prefix DIR] [--no-start] [--help]");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.output()).isEqualTo("install.sh: unknown option --frobnicate (see --help)\n");
        assertThat(Script.of("uninstall.sh").run("--help").output()).startsWith("Usage: scripts/uninstall.sh");
    }

    /**
     * A copy of install.sh in a tree without a jar: whichever way it ends, it cannot install anything, since it has
     * nothing to install. A fake {@code id} says the user is not root.
     */
    @Test
    void withoutRootOrDestdirItRefusesAndWithoutAJarItSaysHowToBuildOne() throws Exception {
        Path checkout = dir.resolve("checkout");
        Files.createDirectories(checkout.resolve("scripts"));
        Path copy = Files.copy(Script.SCRIPTS.resolve("install.sh"), checkout.resolve("scripts/install.sh"));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = dir.resolve("bin");
        Script.executable(bin.resolve("id"), "echo 1000\n");

        Result notRoot = run(copy, Map.of("PATH", bin + ":" + System.getenv("PATH")));
        Result noJar = run(copy, Map.of("DESTDIR", dir.resolve("staged").toString()));

        assertThat(notRoot.exitCode()).isEqualTo(1);
        assertThat(notRoot.output()).startsWith("install.sh: run as root (sudo ").contains("or set DESTDIR");
        assertThat(noJar.exitCode()).isEqualTo(1);
        assertThat(noJar.output()).isEqualTo("install.sh: " + checkout.resolve("agent/target/rollguard.jar")
                + " does not exist: run mvn -B -ntp package first (in " + checkout + ")\n");
        assertThat(dir.resolve("staged")).doesNotExist();
    }

    private static Result install(Path root, String... arguments) throws IOException, InterruptedException {
        return Script.of("install.sh").env("DESTDIR", root.toString()).run(arguments);
    }

    private static Result run(Path program, String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("ROLLGUARD_") || name.equals("JOURNAL_STREAM"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        process.waitFor();
        return new Result(process.exitValue(), output);
    }

    private static Result run(Path program, Map<String, String> environment, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("ROLLGUARD_") || name.equals("DESTDIR"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        process.waitFor();
        return new Result(process.exitValue(), output);
    }

    private static String mode(Path root, String path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(path.substring(1))));
    }

    /** Every path with its kind, mode, modification time and content digest. */
    private static Map<String, String> tree(Path root) throws Exception {
        Map<String, String> tree = new TreeMap<>();
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.toList()) {
                String description = PosixFilePermissions.toString(Files.getPosixFilePermissions(path,
                        LinkOption.NOFOLLOW_LINKS)) + " " + Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS);
                if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    description += " " + HexFormat.of().formatHex(sha256.digest(Files.readAllBytes(path)));
                }
                tree.put(root.relativize(path).toString(), description);
            }
        }
        return tree;
    }
}
