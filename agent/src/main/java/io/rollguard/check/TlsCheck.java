package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Human;
import io.rollguard.config.check.TlsCheckSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS handshake succeeds, the server's certificate chain is trusted (by the JDK's trust store, or by the CAs of
 * {@code ca_file}) and names {@code server_name}, and no certificate of the chain expires within
 * {@code min_days_valid} days: the "SSL certificate validity" line of a checklist. Its value is the days left until
 * the first certificate of the chain expires. When the handshake fails, the chain the server sent is still judged,
 * so an expired certificate is reported as expired rather than as a bare handshake error.
 */
final class TlsCheck implements Check {
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);
    private static final double SECONDS_PER_DAY = 86_400;

    private final TlsCheckSpec spec;
    private final Duration timeout;
    private final Clock clock;
    /** The JDK's trust store, loaded once: it does not change while the agent runs. */
    private X509ExtendedTrustManager defaultTrust;

    /** @param clock the time certificates are judged at: their expiry is on the wall clock */
    public TlsCheck(TlsCheckSpec spec, Duration timeout, Clock clock) {
        this.spec = requireNonNull(spec, "spec");
        this.timeout = requireNonNull(timeout, "timeout");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public CheckResult run() throws IOException {
        String target = spec.host() + ":" + spec.port();
        X509ExtendedTrustManager trust;
        try {
            trust = spec.caFile() == null ? defaultTrust() : caFileTrust();
        } catch (NoSuchFileException e) {
            return CheckResult.failed("cannot read ca_file " + spec.caFile() + ": no such file");
        } catch (CertificateException e) {
            return CheckResult.failed("ca_file " + spec.caFile() + " is not PEM certificates: " + e.getMessage());
        }
        if (trust == null) {
            return CheckResult.failed("ca_file " + spec.caFile() + " holds no certificate");
        }
        Recorder recorder = new Recorder(trust);
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(spec.host(), spec.port()), millis);
            raw.setSoTimeout(millis);
            try (SSLSocket socket = (SSLSocket) context(recorder).getSocketFactory()
                    .createSocket(raw, spec.serverName(), spec.port(), true)) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                // SNI carries host names only (RFC 6066); an address is checked against the certificate's IP SANs.
                if (!isIpLiteral(spec.serverName())) {
                    parameters.setServerNames(List.of(new SNIHostName(spec.serverName())));
                }
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                return judge(target, socket.getSession().getPeerCertificates());
            }
        } catch (UnknownHostException e) {
            return CheckResult.failed(target + ": unknown host");
        } catch (SocketTimeoutException e) {
            return CheckResult.failed(target + ": no answer within " + Human.seconds(millis / 1000.0));
        } catch (SSLHandshakeException e) {
            return CheckResult.failed(target + ": " + explain(recorder, e));
        } catch (SSLException e) {
            return CheckResult.failed(target + ": TLS failed: " + e.getMessage());
        } catch (IOException e) {
            return CheckResult.failed(target + ": " + e.getMessage());
        }
    }

    private CheckResult judge(String target, Certificate[] chain) {
        Instant now = clock.instant();
        X509Certificate first = soonestToExpire(chain);
        Instant notAfter = first.getNotAfter().toInstant();
        double daysLeft = Duration.between(now, notAfter).getSeconds() / SECONDS_PER_DAY;
        long wholeDays = Duration.between(now, notAfter).toDays();
        String which = first == chain[0] ? "certificate" : "certificate " + first.getSubjectX500Principal().getName()
                + " of the chain";
        String when = DAY.format(notAfter);
        // A certificate that is itself a trust anchor (a self-signed one from ca_file) passes the JDK's checks
        // whatever its dates, so they are judged here too.
        if (now.isAfter(notAfter)) {
            return CheckResult.failed(target + ": " + which + " expired " + days(Duration.between(notAfter, now).toDays())
                    + " ago, on " + when, daysLeft);
        }
        Instant notBefore = ((X509Certificate) chain[0]).getNotBefore().toInstant();
        if (now.isBefore(notBefore)) {
            return CheckResult.failed(target + ": certificate is not valid before " + DAY.format(notBefore), daysLeft);
        }
        if (daysLeft < spec.minDaysValid()) {
            return CheckResult.failed(target + ": " + which + " expires in " + days(wholeDays) + ", on " + when
                    + " (min_days_valid " + spec.minDaysValid() + ")", daysLeft);
        }
        return CheckResult.passed(target + ": " + which + " valid for " + days(wholeDays) + ", until " + when
                + ", trusted for " + spec.serverName(), daysLeft);
    }

    /**
     * The certificate that expires first: the leaf, or an intermediate. Self-issued certificates past the leaf are
     * roots, whose expiry is the trust store's business: a client builds its path to an anchor it has.
     */
    private static X509Certificate soonestToExpire(Certificate[] chain) {
        X509Certificate soonest = (X509Certificate) chain[0];
        for (int i = 1; i < chain.length; i++) {
            X509Certificate certificate = (X509Certificate) chain[i];
            boolean selfIssued = certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
            if (!selfIssued && certificate.getNotAfter().before(soonest.getNotAfter())) {
                soonest = certificate;
            }
        }
        return soonest;
    }

    /** Why the handshake failed, in the terms of the chain the server sent where it got that far. */
    private String explain(Recorder recorder, SSLHandshakeException e) {
        X509Certificate[] chain = recorder.chain;
        if (chain == null || chain.length == 0) {
            return "TLS handshake failed: " + e.getMessage();
        }
        // The leaf's dates first: an expired certificate is the commonest reason, and the plainest to act on.
        X509Certificate leaf = chain[0];
        Instant now = clock.instant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant notBefore = leaf.getNotBefore().toInstant();
        if (now.isAfter(notAfter)) {
            return "certificate expired " + days(Duration.between(notAfter, now).toDays()) + " ago, on "
                    + DAY.format(notAfter);
        }
        if (now.isBefore(notBefore)) {
            return "certificate is not valid before " + DAY.format(notBefore);
        }
        String subject = leaf.getSubjectX500Principal().getName();
        String issuer = leaf.getIssuerX500Principal().getName();
        String cause = rootCause(recorder.failure != null ? recorder.failure : e);
        if (recorder.failedStage == Recorder.Stage.PATH) {
            String store = spec.caFile() == null ? "the JDK's trust store" : "the CAs of " + spec.caFile();
            return "certificate of " + subject + " (issued by " + issuer + ") is not trusted by " + store + " ("
                    + cause + ")";
        }
        if (recorder.failedStage == Recorder.Stage.NAME) {
            return "certificate of " + subject + " not accepted for server_name " + spec.serverName() + " (" + cause
                    + ")";
        }
        return "TLS handshake failed: " + e.getMessage();
    }

    private static String rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private static String days(long days) {
        return days == 1 ? "1 day" : days + " days";
    }

    private static boolean isIpLiteral(String name) {
        return name.contains(":") || IPV4.matcher(name).matches();
    }

    private static SSLContext context(X509ExtendedTrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS", e);
        }
    }

    private X509ExtendedTrustManager defaultTrust() {
        if (defaultTrust == null) {
            defaultTrust = trustManager(null);
        }
        return defaultTrust;
    }

    /** Read at every run, so that a renewed private CA is picked up without a restart; null when it holds none. */
    private X509ExtendedTrustManager caFileTrust() throws IOException, CertificateException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(spec.caFile())) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certificates.isEmpty()) {
            return null;
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + index++, certificate);
            }
            return trustManager(store);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot hold certificates in a key store", e);
        }
    }

    /** The JDK's PKIX trust manager over {@code store}, or over its default trust store when null. */
    private static X509ExtendedTrustManager trustManager(KeyStore store) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager) {
                    return (X509ExtendedTrustManager) manager;
                }
            }
            throw new IllegalStateException("the JDK's trust manager factory offers no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot build a trust manager", e);
        }
    }

    /**
     * Delegates to the real trust manager, remembering the chain the server sent and which step rejected it: the
     * path to a trusted anchor, or the match with the server name. The two steps run apart so that the message can
     * say which one failed; the second repeats the first, and only then adds the name, as JSSE itself would.
     */
    private static final class Recorder extends X509ExtendedTrustManager {
        enum Stage { NONE, PATH, NAME }

        private final X509ExtendedTrustManager delegate;
        X509Certificate[] chain;
        Stage failedStage = Stage.NONE;
        CertificateException failure;

        Recorder(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            this.chain = chain.clone();
            try {
                delegate.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                fail(Stage.PATH, e);
            }
            try {
                delegate.checkServerTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                fail(Stage.NAME, e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            this.chain = chain.clone();
            try {
                delegate.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                fail(Stage.PATH, e);
            }
            try {
                delegate.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                fail(Stage.NAME, e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            this.chain = chain.clone();
            try {
                delegate.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                fail(Stage.PATH, e);
            }
        }

        private void fail(Stage stage, CertificateException e) throws CertificateException {
            failedStage = stage;
            failure = e;
            throw e;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
