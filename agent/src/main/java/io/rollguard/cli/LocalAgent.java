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

    /** GET or POST {@code path}; a refused connection is reported in words. */
    HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    /** POST {@code json} to {@code path}. */
    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> send(HttpRequest.Builder builder) throws IOException, InterruptedException {
        // The read token suffices for reads, but the mutating one is accepted for them too: send that when there is one.
        Secret token = http.mutatingToken().or(http::readingToken).orElse(null);
        if (token != null) {
            builder.header("Authorization", "Bearer " + token.value());
        }
        HttpRequest request = builder.timeout(Duration.ofSeconds(30)).build();
        try {
            return client().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("no agent answers at " + base + " (is `rollguard run` running with this configuration?)");
        } catch (SSLHandshakeException e) {
            throw new IOException("the agent at " + base + " did not prove it is the one of this configuration: "
                    + e.getMessage());
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
