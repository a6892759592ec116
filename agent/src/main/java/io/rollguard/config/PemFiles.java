package io.rollguard.config;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Checks, at load time, that {@code tls_cert} and {@code tls_key} are what Netty's {@code SslContextBuilder} reads:
 * PEM certificates and an unencrypted PKCS#8 key. A mistake is a positioned configuration error instead of a
 * failure to start.
 */
final class PemFiles {
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";

    private PemFiles() {}

    /** What is wrong with {@code text} as a PEM certificate chain; empty when it is one. */
    static Optional<String> certificateProblem(byte[] text) {
        if (!new String(text, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            return Optional.of("expected a PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(text));
            return certificates.isEmpty() ? Optional.of("expected a PEM certificate (-----BEGIN CERTIFICATE-----)")
                    : Optional.empty();
        } catch (CertificateException e) {
            return Optional.of("not a valid X.509 certificate: " + e.getMessage());
        }
    }

    /** What is wrong with {@code text} as an unencrypted PKCS#8 PEM key; empty when it is one. Never quotes it. */
    static Optional<String> keyProblem(byte[] bytes, String file) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            return Optional.of("is a PKCS#1/SEC1 key (-----BEGIN RSA/EC PRIVATE KEY-----), expected PKCS#8 "
                    + "(-----BEGIN PRIVATE KEY-----); convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file
                    + " -out " + file + ".pk8");
        }
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            return Optional.of("is encrypted; the agent needs it unencrypted: openssl pkcs8 -topk8 -nocrypt -in "
                    + file + " -out " + file + ".plain");
        }
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            return Optional.of("expected a PEM private key in PKCS#8 form (-----BEGIN PRIVATE KEY-----)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            return Optional.of("the PEM private key is not valid base64");
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                return Optional.empty();
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        return Optional.of("cannot read the PKCS#8 private key (expected an RSA, EC or Ed25519 key)");
    }
}
