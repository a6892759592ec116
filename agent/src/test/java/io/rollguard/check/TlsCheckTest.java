package io.rollguard.check;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.config.check.TlsCheckSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Against a real TLS server in this JVM, with certificates keytool makes at test time: a self-signed one valid for
 * 30 days, one valid for 5, one that expired 15 days ago. Each is trusted through a ca_file holding it as PEM.
 */
class TlsCheckTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path keys;

    @BeforeAll
    static void makeCertificates() throws IOException, InterruptedException, GeneralSecurityException {
        keytool("valid30", "-validity", "30");
        keytool("valid5", "-validity", "5");
        keytool("expired", "-startdate", "-20d", "-validity", "5");
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("30 days left passes 14", "valid30", "127.0.0.1", 14, true,
                        "127.0.0.1:PORT: certificate valid for 30 days, until NOT_AFTER, trusted for 127.0.0.1", 30.0),
                arguments("30 days left passes 30", "valid30", "localhost", 30, true,
                        "127.0.0.1:PORT: certificate valid for 30 days, until NOT_AFTER, trusted for localhost", 30.0),
                arguments("5 days left fails 14", "valid5", "127.0.0.1", 14, false,
                        "127.0.0.1:PORT: certificate expires in 5 days, on NOT_AFTER (min_days_valid 14)", 5.0),
                arguments("min_days_valid 0 takes any valid certificate", "valid5", "127.0.0.1", 0, true,
                        "127.0.0.1:PORT: certificate valid for 5 days, until NOT_AFTER, trusted for 127.0.0.1", 5.0));
    }

    /** Judged at the certificate's own start, so that "days left" is exact; the JDK judges trust at the real time. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void judgesTheDaysLeft(String name, String certificate, String serverName, int minDays, boolean ok,
            String message, double days) throws Exception {
        X509Certificate leaf = certificate(certificate);
        Clock atStart = Clock.fixed(leaf.getNotBefore().toInstant(), ZoneOffset.UTC);
        try (TlsServer server = new TlsServer(certificate)) {
            TlsCheck check = new TlsCheck(spec(server.port(), serverName, minDays, pem(certificate)), TIMEOUT, atStart);

            CheckResult result = check.run();

            assertThat(result.message()).isEqualTo(message.replace("PORT", Integer.toString(server.port()))
                    .replace("NOT_AFTER", day(leaf.getNotAfter().toInstant())));
            assertThat(result.ok()).isEqualTo(ok);
            assertThat(result.value()).isEqualTo(days);
        }
    }

    @Test
    void anExpiredCertificateFailsSayingSinceWhen() throws Exception {
        X509Certificate leaf = certificate("expired");
        try (TlsServer server = new TlsServer("expired")) {
            TlsCheck check = new TlsCheck(spec(server.port(), "127.0.0.1", 14, pem("expired")), TIMEOUT,
                    Clock.systemUTC());

            CheckResult result = check.run();

            assertThat(result.ok()).isFalse();
            assertThat(result.message()).isEqualTo("127.0.0.1:" + server.port() + ": certificate expired 15 days ago, on "
                    + day(leaf.getNotAfter().toInstant()));
        }
    }

    /** Rejected in the handshake this time (no anchor for it): the chain the server sent still tells why. */
    @Test
    void anExpiredCertificateThatFailsTheHandshakeIsStillReportedAsExpired() throws Exception {
        X509Certificate leaf = certificate("expired");
        try (TlsServer server = new TlsServer("expired")) {
            TlsCheck check = new TlsCheck(spec(server.port(), "127.0.0.1", 14, null), TIMEOUT, Clock.systemUTC());

            CheckResult result = check.run();

            assertThat(result.ok()).isFalse();
            assertThat(result.message()).isEqualTo("127.0.0.1:" + server.port() + ": certificate expired 15 days ago, on "
                    + day(leaf.getNotAfter().toInstant()));
            assertThat(result.value()).isNaN();
        }
    }

    @Test
    void aCertificateTheJdkTrustStoreDoesNotKnowFails() throws Exception {
        try (TlsServer server = new TlsServer("valid30")) {
            TlsCheck check = new TlsCheck(spec(server.port(), "localhost", 14, null), TIMEOUT, Clock.systemUTC());

            CheckResult result = check.run();

            assertThat(result.ok()).isFalse();
            assertThat(result.message()).startsWith("127.0.0.1:" + server.port()
                    + ": certificate of CN=localhost (issued by CN=localhost) is not trusted by the JDK's trust store (");
            assertThat(result.value()).isNaN();
        }
    }

    @Test
    void aCertificateForAnotherNameFails() throws Exception {
        try (TlsServer server = new TlsServer("valid30")) {
            TlsCheck check = new TlsCheck(spec(server.port(), "api.example.com", 14, pem("valid30")), TIMEOUT,
                    Clock.systemUTC());

            CheckResult result = check.run();

            assertThat(result.ok()).isFalse();
            assertThat(result.message()).startsWith("127.0.0.1:" + server.port()
                    + ": certificate of CN=localhost not accepted for server_name api.example.com (");
        }
    }

    @Test
    void sendsTheServerNameAsSniButNeverAnAddress() throws Exception {
        try (TlsServer server = new TlsServer("valid30")) {
            assertThat(new TlsCheck(spec(server.port(), "localhost", 14, pem("valid30")), TIMEOUT, Clock.systemUTC())
                    .run().ok()).isTrue();
            assertThat(new TlsCheck(spec(server.port(), "127.0.0.1", 14, pem("valid30")), TIMEOUT, Clock.systemUTC())
                    .run().ok()).isTrue();

            assertThat(server.nextRequestedNames()).containsExactly(new SNIHostName("localhost"));
            assertThat(server.nextRequestedNames()).isEmpty();
        }
    }

    @Test
    void aClosedPortFails() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        TlsCheck check = new TlsCheck(spec(port, "127.0.0.1", 14, null), TIMEOUT, Clock.systemUTC());

        CheckResult result = check.run();

        assertThat(result.ok()).isFalse();
        assertThat(result.message()).startsWith("127.0.0.1:" + port + ": Connection refused");
    }

    static Stream<Arguments> badCaFiles() {
        return Stream.of(
                arguments("missing", null, "cannot read ca_file CA: no such file"),
                arguments("not PEM", "hello\n", "ca_file CA is not PEM certificates: "),
                arguments("empty", "", "ca_file CA holds no certificate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCaFiles")
    void aBadCaFileFailsSayingWhy(String name, String content, String message, @TempDir Path dir) throws Exception {
        Path ca = dir.resolve("ca.pem");
        if (content != null) {
            Files.writeString(ca, content);
        }
        try (TlsServer server = new TlsServer("valid30")) {
            TlsCheck check = new TlsCheck(spec(server.port(), "127.0.0.1", 14, ca), TIMEOUT, Clock.systemUTC());

            CheckResult result = check.run();

            assertThat(result.ok()).isFalse();
            assertThat(result.message()).startsWith(message.replace("CA", ca.toString()));
        }
    }

    private static TlsCheckSpec spec(int port, String serverName, int minDays, Path caFile) {
        return new TlsCheckSpec("127.0.0.1", port, serverName, minDays, caFile);
    }

    private static String day(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }

    private static Path pem(String name) {
        return keys.resolve(name + ".pem");
    }

    private static X509Certificate certificate(String name) throws IOException, GeneralSecurityException {
        return (X509Certificate) keyStore(name).getCertificate("server");
    }

    private static KeyStore keyStore(String name) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys.resolve(name + ".p12"))) {
            store.load(in, PASSWORD);
        }
        return store;
    }

    /** A self-signed EC certificate for localhost and 127.0.0.1 in NAME.p12, and exported as PEM to NAME.pem. */
    private static void keytool(String name, String... validity)
            throws IOException, InterruptedException, GeneralSecurityException {
        List<String> generate = new ArrayList<>(List.of("keytool", "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-keystore", keys.resolve(name + ".p12").toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
        generate.addAll(List.of(validity));
        run(generate);
        // What keytool -exportcert -rfc writes, without starting another JVM for it.
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(certificate(name).getEncoded());
        Files.writeString(pem(name), "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n");
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
    }

    /** Accepts connections on 127.0.0.1, completes the handshake, remembers the SNI names asked for, and hangs up. */
    private static final class TlsServer implements AutoCloseable {
        private final SSLServerSocket server;
        private final ExecutorService acceptor = Executors.newSingleThreadExecutor();
        private final BlockingQueue<List<SNIServerName>> names = new LinkedBlockingQueue<>();

        TlsServer(String name) throws IOException, GeneralSecurityException {
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore(name), PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            server = (SSLServerSocket) context.getServerSocketFactory()
                    .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            acceptor.submit(this::serve);
        }

        int port() {
            return server.getLocalPort();
        }

        /** The SNI names of the next completed handshake, waited for: the server finishes after the client. */
        List<SNIServerName> nextRequestedNames() throws InterruptedException {
            List<SNIServerName> next = names.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("a completed handshake within 10 s").isNotNull();
            return next;
        }

        private void serve() {
            while (!server.isClosed()) {
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                    socket.setSoTimeout(10_000);
                    socket.startHandshake();
                    names.add(((ExtendedSSLSession) socket.getSession()).getRequestedServerNames());
                } catch (IOException e) {
                    // a client that rejected the certificate, or the server closing: either way, the next one
                }
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            server.close();
            acceptor.shutdownNow();
            assertThat(acceptor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
