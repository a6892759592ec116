package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code [http]} tokens, TLS files and limits, and StrictModes for every file a configuration names. */
class HttpSettingsConfigTest {
    private static final String TOKEN = "s3cr3t-t0ken-value";

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private Config load(String toml) throws IOException, ConfigException {
        return ConfigLoader.load(write("rollguard.toml", toml));
    }

    private List<String> problems(String toml) throws IOException {
        Path file = write("rollguard.toml", toml);
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(error).as("must be rejected").isNotNull();
        return error.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void defaultsAreNoTokenNoTlsAndTheDocumentedLimits() throws Exception {
        HttpSettings http = load("").http();

        assertThat(http.mutatingToken()).isEmpty();
        assertThat(http.readingToken()).isEmpty();
        assertThat(http.healthPublic()).isTrue();
        assertThat(http.tlsFiles()).isEmpty();
        assertThat(http.maxConnections()).isEqualTo(256);
        assertThat(http.maxConnectionsPerPeer()).isEqualTo(32);
        assertThat(http.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(http.headTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(http.bodyTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(http.scheme()).isEqualTo("http");
    }

    @Test
    void readsTheTokensWithoutTheirFinalNewlineAndTheLimits() throws Exception {
        write("token", TOKEN + "\n");
        write("read-token", "reader\r\n");

        HttpSettings http = load("""
                [http]
                token_file = "token"
                read_token_file = "read-token"
                health_public = false
                max_connections = 10
                max_connections_per_peer = 3
                idle_timeout = "5s"
                head_timeout = "2s"
                body_timeout = "3s"
                """).http();

        assertThat(http.mutatingToken()).hasValueSatisfying(token -> assertThat(token.value()).isEqualTo(TOKEN));
        assertThat(http.readingToken()).hasValueSatisfying(token -> assertThat(token.value()).isEqualTo("reader"));
        assertThat(http.tokenFile()).isEqualTo(dir.resolve("token"));
        assertThat(http.healthPublic()).isFalse();
        assertThat(http.maxConnections()).isEqualTo(10);
        assertThat(http.maxConnectionsPerPeer()).isEqualTo(3);
        assertThat(http.idleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(http.headTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(http.bodyTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(http.toString()).as("a settings record never shows the token").doesNotContain(TOKEN)
                .contains("Secret[redacted]");
    }

    @Test
    void aSecretComparesByValueOnly() {
        Secret secret = new Secret(TOKEN);

        assertThat(secret.matches(TOKEN)).isTrue();
        assertThat(secret.matches(TOKEN + "x")).isFalse();
        assertThat(secret.matches(TOKEN.substring(1))).isFalse();
        assertThat(secret.matches("")).isFalse();
        assertThat(secret.matches(null)).isFalse();
        assertThat(secret).hasToString("Secret[redacted]");
    }

    @Test
    void anEmptyTokenFileIsAPositionedProblemThatNeverShowsAToken() throws Exception {
        Path empty = write("token", "\n");

        assertThat(problems("[http]\ntoken_file = \"token\"\n")).containsExactly(dir.resolve("rollguard.toml")
                + ":2:1: http.token_file: " + empty + " is empty; write the token into it, such as: "
                + "openssl rand -hex 32 > " + empty);
    }

    @Test
    void aTokenWithSpacesOrSeveralLinesIsRefusedWithoutQuotingIt() throws Exception {
        Path file = write("token", TOKEN + "\nsecond line\n");

        List<String> problems = problems("[http]\nread_token_file = \"token\"\n");

        assertThat(problems).containsExactly(dir.resolve("rollguard.toml") + ":2:1: http.read_token_file: " + file
                + " must hold one line of visible ASCII characters (no spaces), the token");
        assertThat(String.join("\n", problems)).doesNotContain(TOKEN);
    }

    @Test
    void anUnreadableTokenFileIsAProblem() throws Exception {
        Path missing = dir.resolve("missing");

        assertThat(problems("[http]\ntoken_file = \"missing\"\n")).containsExactly(dir.resolve("rollguard.toml")
                + ":2:1: http.token_file: cannot read " + missing + ": no such file");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rw-rw----", "rw-----w-"})
    void aTokenFileOthersCouldChangeIsRefusedWithTheFix(String permissions) throws Exception {
        Path token = write("token", TOKEN);
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString(permissions));
        boolean group = permissions.equals("rw-rw----");

        assertThat(problems("[http]\ntoken_file = \"token\"\n")).containsExactly(dir.resolve("rollguard.toml")
                + ":2:1: http.token_file: refusing to load token file " + token + ": it is writable by "
                + (group ? "its group" : "others") + "; fix with: chmod " + (group ? "g-w" : "o-w") + " " + token);
    }

    @Test
    void aConfigFileInADirectoryOthersCanWriteIsRefused() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path file = shared.resolve("rollguard.toml");
        Files.writeString(file, "");

        ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));

        assertThat(error.problems()).extracting(ConfigProblem::toString).containsExactly(file
                + ": refusing to load config file " + file + ": its directory " + shared
                + " is writable by its group; fix with: chmod g-w " + shared);
    }

    @Test
    void allowInsecurePermissionsTurnsRefusalsIntoWarnings() throws Exception {
        Path token = write("token", TOKEN);
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path file = write("rollguard.toml", "[agent]\nallow_insecure_permissions = true\n[http]\ntoken_file = \"token\"\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));

        Config config = ConfigLoader.load(file);

        assertThat(config.http().mutatingToken()).isPresent();
        assertThat(config.warnings()).containsExactly(
                "would refuse to load config file " + file + ": it is writable by its group; fix with: chmod g-w "
                        + file + " (allowed by [agent] allow_insecure_permissions)",
                "would refuse to load token file " + token + ": it is writable by its group and others; fix with: "
                        + "chmod go-w " + token + " (allowed by [agent] allow_insecure_permissions)");
    }

    @Test
    void aClientCommandDoesNotJudgePermissions() throws Exception {
        Path token = write("token", TOKEN);
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path file = write("rollguard.toml", "[http]\ntoken_file = \"token\"\n");

        assertThat(ConfigLoader.loadAsClient(file).http().mutatingToken()).isPresent();
    }

    @Test
    void aFileOwnedByAnotherUserIsRefusedWithTheChown() throws Exception {
        assumeTrue(System.getProperty("user.name").equals("root"), "only root can give a file to another user");
        Path token = write("token", TOKEN);
        Files.setOwner(token, token.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        assertThat(problems("[http]\ntoken_file = \"token\"\n")).containsExactly(dir.resolve("rollguard.toml")
                + ":2:1: http.token_file: refusing to load token file " + token
                + ": it is owned by nobody, not by root or the agent's user root; fix with: chown root " + token);
    }

    @Test
    void onlyOneOfCertificateAndKeyIsAProblem() throws Exception {
        write("cert.pem", "x");

        assertThat(problems("[http]\ntls_cert = \"cert.pem\"\n")).containsExactly(dir.resolve("rollguard.toml")
                + ":2:1: http.tls_cert: needs tls_key as well: give both the certificate and its key, or neither");
    }

    @Test
    void aPkcs1KeyIsRefusedWithTheConversion() throws Exception {
        Path key = write("key.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
        Path certificate = write("cert.pem", "not a certificate\n");

        assertThat(problems("[http]\ntls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\n")).containsExactly(
                dir.resolve("rollguard.toml") + ":2:1: http.tls_cert: " + certificate
                        + ": expected a PEM certificate (-----BEGIN CERTIFICATE-----)",
                dir.resolve("rollguard.toml") + ":3:1: http.tls_key: " + key + ": is a PKCS#1/SEC1 key "
                        + "(-----BEGIN RSA/EC PRIVATE KEY-----), expected PKCS#8 (-----BEGIN PRIVATE KEY-----); "
                        + "convert it with: openssl pkcs8 -topk8 -nocrypt -in " + key + " -out " + key + ".pk8");
    }

    /** The pure rule, for the cases a test cannot make files for: owners, and the sticky bit of /tmp. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "own file 0600            | agent | 0600  | false | ''",
        "root's file 0644         | root  | 0644  | false | ''",
        "another user's file      | mallory | 0600 | false | it is owned by mallory, not by root or the agent's user agent",
        "group-writable file      | agent | 0660  | false | it is writable by its group",
        "world-writable directory | root  | 0757  | true  | it is writable by others",
        "sticky /tmp-like parent  | root  | 01777 | true  | ''",
        "sticky bit on a file     | root  | 01666 | false | it is writable by its group and others",
    })
    void judgesOwnerAndMode(String name, String owner, String octal, boolean directory, String expected) {
        List<String> problems = new java.util.ArrayList<>();
        List<String> fixes = new java.util.ArrayList<>();

        new StrictModes("agent").judge(new StrictModes.Attributes(owner, Integer.parseInt(octal, 8), directory),
                Path.of("/x"), "it", problems, fixes);

        assertThat(String.join(" and ", problems)).isEqualTo(expected);
        assertThat(fixes).hasSameSizeAs(problems);
    }
}
