package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rollguard.Agent;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.HttpSettings;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent serving HTTPS with a self-signed certificate made by {@code openssl} at test time, a bearer token,
 * and the CLI talking to it: it sends the token and trusts exactly the configured certificate.
 */
class TlsAndTokenTest {
    private static final String TOKEN = "tls-test-token-abcdef";

    @TempDir
    static Path dir;
    private static Agent agent;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(openssl("version"), "openssl is not installed: the TLS tests need it to make a certificate");
        // The certificate names a host the agent is not reached by: the CLI must not need the name to match.
        assumeTrue(openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve("key.pem").toString(),
                "-out", dir.resolve("cert.pem").toString(), "-days", "2", "-subj", "/CN=agent.example",
                "-addext", "subjectAltName=DNS:agent.example"), "openssl could not make a certificate");
        assumeTrue(openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", dir.resolve("other-key.pem").toString(), "-out", dir.resolve("other-cert.pem").toString(),
                "-days", "2", "-subj", "/CN=agent.example"), "openssl could not make a certificate");
        secret("key.pem");
        secret("other-key.pem");
        Files.writeString(dir.resolve("token"), TOKEN + "\n");
        secret("token");
        Files.writeString(dir.resolve("wrong-token"), "not-the-token\n");
        secret("wrong-token");
        Path config = write("agent.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                token_file = "token"
                tls_cert = "cert.pem"
                tls_key = "key.pem"
                """.formatted(dir.resolve("state")));
        agent = new Agent(ConfigLoader.load(config), TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 0, () -> 0));
        agent.start();
        port = agent.httpAddress().getPort();
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private static boolean openssl(String... args) throws InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void secret(String name) throws IOException {
        Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString("rw-------"));
    }

    private static Path write(String name, String text) throws IOException {
        Path file = Files.writeString(dir.resolve(name), text);
        secret(name);
        return file;
    }

    /** What a deploy script's configuration says: the same agent, and the given token and certificate. */
    private static Path clientConfig(String token, String certificate, String key) throws IOException {
        return write("client-" + token + "-" + certificate + ".toml", """
                [http]
                listen = "127.0.0.1:%d"
                token_file = "%s"
                tls_cert = "%s"
                tls_key = "%s"
                """.formatted(port, token, certificate, key));
    }

    private record Run(int exit, String out, String err) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theCliSpeaksHttpsWithTheTokenAndTrustsExactlyTheConfiguredCertificate() throws IOException {
        Run rearm = cli("rearm", "--config", clientConfig("token", "cert.pem", "key.pem").toString());

        assertThat(rearm.err()).isEmpty();
        assertThat(rearm.exit()).isEqualTo(0);
        assertThat(rearm.out()).isEqualTo("nothing was latched\n");
        Run status = cli("deploy", "status", "--config", clientConfig("token", "cert.pem", "key.pem").toString());
        assertThat(status.exit()).isEqualTo(0);
        assertThat(status.out()).startsWith("no deployment in progress");
    }

    @Test
    void theCliRefusesAnAgentThatPresentsAnotherCertificate() throws IOException {
        Run rearm = cli("rearm", "--config", clientConfig("token", "other-cert.pem", "other-key.pem").toString());

        assertThat(rearm.exit()).isEqualTo(1);
        assertThat(rearm.err()).startsWith("rollguard: the agent at https://127.0.0.1:" + port
                + " did not prove it is the one of this configuration");
    }

    @Test
    void theWrongTokenIsRefusedAndNeverPrinted() throws IOException {
        Run rearm = cli("rearm", "--config", clientConfig("wrong-token", "cert.pem", "key.pem").toString());

        assertThat(rearm.exit()).isEqualTo(1);
        assertThat(rearm.err()).contains("answered 401").doesNotContain("not-the-token").doesNotContain(TOKEN);
    }

    @Test
    void aJavaHttpClientTrustingTheCertificateGetsHealthOverHttps() throws Exception {
        HttpSettings.TlsFiles files = new HttpSettings.TlsFiles(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        HttpClient client = HttpClient.newBuilder().sslContext(LocalAgent.pinned(files))
                .connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isIn(200, 503);
        assertThat(response.body()).startsWith("{\"status\":");
    }

    @Test
    void ordinaryVerificationRefusesTheNameWhichIsWhyTheCliPinsTheCertificate() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("cert.pem"))) {
            trust.setCertificateEntry("agent", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();

        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                + "/health")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("127.0.0.1");
    }

    @Test
    void plainHttpOnTheTlsPortGetsNoAnswer() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: agent\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            int first;
            try {
                first = socket.getInputStream().read();
            } catch (SocketException e) {
                first = -1; // reset: no answer either
            }
            assertThat(first).as("no HTTP answer in clear text").isNotEqualTo('H');
        }
    }
}
