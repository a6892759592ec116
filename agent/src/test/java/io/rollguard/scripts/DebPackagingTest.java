package io.rollguard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.config.action.ExecActionConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The {@code deb} profile's package, without building it (jdeb runs only with {@code -Pdeb}): its control files
 * agree with the data the pom maps into it, and that data is the layout install.sh makes. When a .deb was built into
 * target/ and dpkg-deb exists, the package itself is inspected too.
 */
class DebPackagingTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path CONTROL = ROOT.resolve("packaging/deb");

    @Test
    void thePomMapsTheSharedLayoutAndEverySourceExists() throws Exception {
        Set<String> layout = debLayout();

        assertThat(layout).containsAll(Layout.FILES).contains(Layout.STATE_DIRECTORY + "/",
                "/usr/share/doc/rollguard/copyright", "/usr/share/doc/rollguard/changelog.gz",
                "/usr/share/lintian/overrides/rollguard");
    }

    @Test
    void everyConffileIsInThePackageUnderEtc() throws Exception {
        List<String> conffiles = Files.readAllLines(CONTROL.resolve("conffiles"));

        assertThat(conffiles).containsExactly("/etc/default/rollguard", "/etc/rollguard/rollguard.toml");
        assertThat(debLayout()).containsAll(conffiles);
    }

    @Test
    void theControlFileNamesAJava17RuntimeAndAdduser() throws IOException {
        List<String> control = Files.readAllLines(CONTROL.resolve("control"));

        assertThat(control).contains("Package: rollguard", "Version: [[version]]", "Architecture: all");
        assertThat(control).filteredOn(line -> line.startsWith("Depends: ")).singleElement().asString()
                .contains("default-jre-headless (>= 2:1.17)", "openjdk-17-jre-headless", "adduser");
    }

    @Test
    void theMaintainerScriptsAreExecutableAndManageWhatThePackageShips() throws Exception {
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Path file = CONTROL.resolve(script);
            assertThat(file).isExecutable();
            assertThat(Files.readAllLines(file)).startsWith("#!/bin/sh").contains("set -e", "exit 0");
        }
        String postinst = Files.readString(CONTROL.resolve("postinst"));
        Set<String> layout = debLayout();
        assertThat(postinst).contains("adduser --system --group", "dpkg-statoverride --update --add root rollguard 0640 "
                + "/etc/rollguard/rollguard.toml", "dpkg-statoverride --update --add rollguard rollguard 0750 "
                + "/var/lib/rollguard", "deb-systemd-helper enable rollguard.service", "[ -d /run/systemd/system ]");
        assertThat(layout).contains("/etc/rollguard/rollguard.toml", "/var/lib/rollguard/", "/usr/bin/rollguard");
        assertThat(Files.readString(CONTROL.resolve("postrm"))).contains("rm -rf /var/lib/rollguard",
                "dpkg-statoverride --remove").as("the system user stays on purge").doesNotContain("deluser", "delgroup");
    }

    @Test
    void theShippedChangelogIsTheCompressedChangelog() throws IOException {
        String changelog = Files.readString(ROOT.resolve("packaging/changelog"));
        try (InputStream in = new GZIPInputStream(Files.newInputStream(ROOT.resolve("packaging/changelog.gz")))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).as("gzip -9n -c changelog > changelog.gz")
                    .isEqualTo(changelog);
        }
        assertThat(changelog).startsWith("rollguard (");
    }

    /**
     * The starter configuration is the embedded default with the installed token named, and comments: it cannot drift
     * from the default. The token file is beside it, where the installers make it.
     */
    @Test
    void theStarterConfigurationIsTheDefaultWithTheTokenAndComments(@TempDir Path etc) throws Exception {
        String starter = Files.readString(ROOT.resolve("packaging/rollguard.toml"));
        String embedded = Files.readString(Path.of("src/main/resources/io/rollguard/default.toml"));
        List<String> expected = new ArrayList<>(settings(embedded));
        expected.add(expected.indexOf("listen = \"0.0.0.0:9730\"") + 1, "token_file = \"token\"");
        Path token = Files.writeString(etc.resolve("token"), "0123456789abcdef0123456789abcdef0123456789a\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));

        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", starter, etc));

        assertThat(settings(starter)).isEqualTo(expected);
        assertThat(config.http().tokenFile()).isEqualTo(token);
    }

    @Test
    void theStarterConfigurationsRollbackExampleWorksUncommented() throws Exception {
        String starter = Files.readString(ROOT.resolve("packaging/rollguard.toml"));
        String embedded = Files.readString(Path.of("src/main/resources/io/rollguard/default.toml"));
        String example = starter.substring(starter.indexOf("# [[check]]\n# name = \"app\""));
        StringBuilder uncommented = new StringBuilder(embedded);
        example.lines().filter(line -> line.startsWith("# ")).forEach(line ->
                uncommented.append(line.substring(2)).append('\n'));

        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", uncommented.toString(),
                Path.of("/etc/rollguard")));

        ExecActionConfig rollback = (ExecActionConfig) config.actions().get("rollback");
        assertThat(rollback.run().get(0)).isEqualTo("/usr/lib/rollguard/rollback/symlink.sh");
        assertThat(Layout.FILES).contains(rollback.run().get(0));
        assertThat(config.rules()).extracting(rule -> rule.name()).contains("app-down");
    }

    @Test
    void theShellScriptsAreShellcheckClean() throws Exception {
        Assumptions.assumeTrue(onPath("shellcheck"), "shellcheck is not installed (Debian package shellcheck): skipped");
        List<String> command = new ArrayList<>(List.of("shellcheck"));
        for (String script : List.of("scripts/rollguard", "scripts/install.sh", "scripts/uninstall.sh",
                "scripts/rollback/symlink.sh", "scripts/rollback/git.sh", "scripts/rollback/docker-compose.sh",
                "packaging/deb/postinst", "packaging/deb/prerm", "packaging/deb/postrm")) {
            command.add(ROOT.resolve(script).toString());
        }
        Process shellcheck = new ProcessBuilder(command).redirectErrorStream(true).start();
        String findings = new String(shellcheck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(shellcheck.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(findings).as("shellcheck").isEmpty();
        assertThat(shellcheck.exitValue()).isZero();
    }

    /** Runs only after {@code mvn -Pdeb package} left a package in target/, and where dpkg-deb exists. */
    @Test
    void aBuiltPackageHoldsTheLayoutAndItsConffiles() throws Exception {
        Assumptions.assumeTrue(onPath("dpkg-deb"), "dpkg-deb is not installed: skipped");
        Path deb;
        try (Stream<Path> built = Files.list(Path.of("target")).filter(p -> p.getFileName().toString()
                .matches("rollguard_.+_all\\.deb"))) {
            deb = built.findFirst().orElse(null);
        } catch (IOException e) {
            deb = null;
        }
        Assumptions.assumeTrue(deb != null, "no target/rollguard_*_all.deb (mvn -B -ntp -Pdeb package builds one): skipped");

        String contents = dpkgDeb("--contents", deb.toString());
        for (String file : Layout.FILES) {
            assertThat(contents).contains("." + file);
        }
        assertThat(contents).containsPattern("drwxr-xr-x root/root +0 .* \\./var/lib/rollguard/");
        assertThat(dpkgDeb("--info", deb.toString(), "conffiles"))
                .isEqualTo("/etc/default/rollguard\n/etc/rollguard/rollguard.toml\n");
        assertThat(dpkgDeb("--field", deb.toString(), "Package", "Architecture"))
                .isEqualTo("Package: rollguard\nArchitecture: all\n");
    }

    private static String dpkgDeb(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("dpkg-deb"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    /** The files and directories (ending in /) that the deb profile's dataSet puts into the package. */
    private static Set<String> debLayout() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        Element profile = null;
        NodeList profiles = pom.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element candidate = (Element) profiles.item(i);
            if (text(candidate, "id").equals("deb")) {
                profile = candidate;
            }
        }
        assertThat(profile).as("the deb profile in agent/pom.xml").isNotNull();
        Set<String> layout = new TreeSet<>();
        NodeList data = profile.getElementsByTagName("data");
        for (int i = 0; i < data.getLength(); i++) {
            Element entry = (Element) data.item(i);
            String type = text(entry, "type");
            String prefix = text(entry, "prefix");
            if (type.equals("template")) {
                NodeList paths = entry.getElementsByTagName("path");
                for (int p = 0; p < paths.getLength(); p++) {
                    layout.add(paths.item(p).getTextContent().strip() + "/");
                }
                continue;
            }
            Path source = Path.of(text(entry, "src").replace("${project.basedir}", ".")
                    .replace("${project.build.directory}", "target"));
            if (type.equals("file")) {
                if (!source.startsWith("target")) {   // the jar exists only after package
                    assertThat(source).as("source of %s", prefix).isRegularFile();
                }
                String name = text(entry, "dst").isEmpty() ? source.getFileName().toString() : text(entry, "dst");
                layout.add(prefix + "/" + name);
            } else {
                assertThat(type).isEqualTo("directory");
                String includes = text(entry, "includes").isEmpty() ? "*" : text(entry, "includes");
                java.nio.file.PathMatcher matcher = source.getFileSystem().getPathMatcher("glob:" + includes);
                try (Stream<Path> files = Files.list(source)) {
                    files.filter(f -> Files.isRegularFile(f) && matcher.matches(f.getFileName()))
                            .forEach(f -> layout.add(prefix + "/" + f.getFileName()));
                }
            }
        }
        return layout;
    }

    private static String text(Element element, String tag) {
        NodeList nodes = element.getElementsByTagName(tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node.getParentNode() == element || tag.equals("prefix")) {
                return node.getTextContent().strip();
            }
        }
        return "";
    }

    private static List<String> settings(String toml) {
        return toml.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    }

    private static boolean onPath(String tool) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(directory, tool))) {
                return true;
            }
        }
        return false;
    }
}
