package io.rollguard.cli;

import io.rollguard.config.Config;
import io.rollguard.config.HostPort;
import io.rollguard.config.HttpSettings;
import io.rollguard.config.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The running agent of this host, reached over its HTTP API at the address its configuration gives: with its
 * {@code token_file} token on every request, and over HTTPS when it serves TLS.
 */
final class LocalAgent {
    private final URI base;
    private final HttpSettings http;
    private HttpClient client;

    LocalAgent(Config config) {
        this(config.http());
    }

    /** The agent an {@code [http]} table names: what a file that does not load whole still says. */
    LocalAgent(HttpSettings http) {
        this.http = http;
        HostPort listen = http.listen();
        // An agent listening on every interface is reached on loopback, where the mutating endpoints accept it.
        String host = listen.host().equals("0.0.0.0") ? "127.0.0.1" : listen.host().equals("::") ? "::1" : listen.host();
        this.base = URI.create(http.scheme() + "://" + new HostPort(host, listen.port()));
    }

    URI base() {
        return base;
    }

    /** What the agent answered: its status code and body. */
    record Reply(int statusCode, String body) {}

    /** GET or POST {@code path}; a refused connection is reported in words. */
    Reply send(String method, String path) throws IOException, InterruptedException {
        return send(method, path, null);
    }

    /** POST {@code json} to {@code path}. */
    Reply post(String path, String json) throws IOException, InterruptedException {
        return send("POST", path, json);
    }

    private Reply send(String method, String path, String json) throws IOException, InterruptedException {
        // The read token suffices for reads, but the mutating one is accepted for them too: send that when there is one.
        Secret token = http.mutatingToken().or(http::readingToken).orElse(null);
        if (http.tlsFiles().isEmpty()) {
            return plain(method, path, json, token);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).method(method,
                json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            builder.header("Content-Type", "application/json");
        }
        if (token != null) {
            builder.header("Authorization", "Bearer " + token.value());
        }
        HttpRequest request = builder.timeout(Duration.ofSeconds(30)).build();
        try {
            HttpResponse<String> response = client().send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        } catch (ConnectException e) {
            throw new IOException("no agent answers at " + base + " (is `rollguard run` running with this configuration?)");
        } catch (SSLHandshakeException e) {
            throw new IOException("the agent at " + base + " did not prove it is the one of this configuration: "
                    + e.getMessage());
        }
    }

    /**
     * Plain HTTP through {@link java.net.HttpURLConnection}: {@link HttpClient} sets up TLS even for {@code http://}
     * and costs a command about 300 ms before its first byte, a third of a CLI call (BENCHMARKS.md, "CLI").
     */
    private Reply plain(String method, String path, String json, Secret token) throws IOException {
        java.net.HttpURLConnection connection = (java.net.HttpURLConnection) base.resolve(path).toURL()
                .openConnection(java.net.Proxy.NO_PROXY);
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(30_000);
        connection.setRequestMethod(method);
        connection.setUseCaches(false);
        if (token != null) {
            connection.setRequestProperty("Authorization", "Bearer " + token.value());
        }
        try {
            if (json != null) {
                byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                connection.setDoOutput(true);
                connection.setRequestProperty("Content-Type", "application/json");
                connection.setFixedLengthStreamingMode(body.length);
                try (java.io.OutputStream out = connection.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = connection.getResponseCode();
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            String body = in == null ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new Reply(status, body);
        } catch (ConnectException e) {
            throw new IOException("no agent answers at " + base + " (is `rollguard run` running with this configuration?)");
        } finally {
            connection.disconnect();
        }
    }

    private HttpClient client() throws IOException {
        if (client == null) {
            HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
            if (http.tlsFiles().isPresent()) {
                builder.sslContext(pinned(http.tlsFiles().get()));
            }
            client = builder.build();
        }
        return client;
    }

    /**
     * A TLS context that trusts exactly the agent's own certificate, {@code tls_cert}, and nothing else. The agent
     * is reached at 127.0.0.1, a name its certificate rarely carries, so host name verification would refuse a
     * correct setup; comparing the certificate itself is stronger than both a CA and a host name check: only the
     * holder of {@code tls_key} can present it.
     */
    static SSLContext pinned(HttpSettings.TlsFiles files) throws IOException {
        List<X509Certificate> trusted;
        try (InputStream in = Files.newInputStream(files.certificate())) {
            trusted = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read tls_cert " + files.certificate() + ": " + e.getMessage(), e);
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new PinnedTrust(trusted, files.certificate().toString())}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Accepts a server whose own certificate is one of {@code tls_cert}'s. An {@link X509ExtendedTrustManager}, so
     * that JSSE does not add its host name check on top (it does for a plain {@code X509TrustManager}).
     */
    private static final class PinnedTrust extends X509ExtendedTrustManager {
        private final List<X509Certificate> trusted;
        private final String file;

        PinnedTrust(List<X509Certificate> trusted, String file) {
            this.trusted = trusted;
            this.file = file;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0 || !trusted.contains(chain[0])) {
                throw new CertificateException("its certificate is not the one in tls_cert " + file);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the command line is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
