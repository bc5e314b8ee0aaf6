package io.netwharf.gateway;

import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The TLS side of a TCP listener, from PEM files as dockerd reads them (go-connections' tlsconfig.Server): the
 * server's certificate chain and its private key (PKCS#1 RSA, SEC1 EC or PKCS#8, not encrypted), and, when clients
 * are verified, the CA file as the only trusted roots (the system's roots are not trusted for clients). TLS 1.2 and
 * 1.3 only, as dockerd.
 */
public final class ServerTls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SSLContext context;
    private final boolean verifyClients;

    private ServerTls(SSLContext context, boolean verifyClients) {
        this.context = context;
        this.verifyClients = verifyClients;
    }

    /**
     * Reads the files {@code options} names. Throws {@link IllegalArgumentException} starting "invalid TLS
     * configuration: " and naming the file and what is wrong with it.
     */
    public static ServerTls load(TlsOptions options) {
        try {
            List<X509Certificate> chain = certificates(options.cert(), "certificate");
            PrivateKey key = privateKey(options.key());
            checkPair(chain.get(0), key, options);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] noPassword = new char[0];
            keys.setKeyEntry("server", key, noPassword, chain.toArray(Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, noPassword);

            TrustManager[] trust = null;
            if (options.verifiesClients()) {
                KeyStore roots = KeyStore.getInstance("PKCS12");
                roots.load(null, null);
                int i = 0;
                for (X509Certificate ca : certificates(options.caCert(), "CA certificate")) {
                    roots.setCertificateEntry("ca-" + i++, ca);
                }
                TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(roots);
                trust = trustManagers.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trust, null);
            return new ServerTls(context, options.verifiesClients());
        } catch (GeneralSecurityException | IOException e) {
            throw invalid(e.getMessage());
        }
    }

    /** pekko-http's server side: a new engine per connection, client certificates required when verifying. */
    public HttpsConnectionContext connectionContext() {
        return ConnectionContext.httpsServer(this::engine);
    }

    private SSLEngine engine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(PROTOCOLS);
        engine.setNeedClientAuth(verifyClients);
        return engine;
    }

    private static List<X509Certificate> certificates(Path file, String what) throws IOException, GeneralSecurityException {
        List<X509Certificate> found = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : pemObjects(file, what)) {
            if (object instanceof X509CertificateHolder holder) {
                found.add(converter.getCertificate(holder));
            }
        }
        if (found.isEmpty()) {
            throw invalid("no PEM certificate in " + what + " file " + quoted(file));
        }
        return found;
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object object : pemObjects(file, "key")) {
            if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw invalid("the key in " + quoted(file) + " is encrypted; netwharf, like dockerd, needs it unencrypted");
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo()); // a SEC1 EC key may leave its public key out
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        }
        throw invalid("no PEM private key (PKCS#1, EC or PKCS#8) in key file " + quoted(file));
    }

    private static List<Object> pemObjects(Path file, String what) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw invalid("could not read " + what + " file " + quoted(file) + ": no such file");
        }
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw invalid("could not read " + what + " file " + quoted(file) + ": " + e.getMessage());
        }
        return objects;
    }

    /** As Go's tls.X509KeyPair: the key must be the certificate's. Checked by signing with one and verifying with the other. */
    private static void checkPair(X509Certificate certificate, PrivateKey key, TlsOptions options) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw invalid("unsupported key type " + key.getAlgorithm() + " in " + quoted(options.key()));
        };
        byte[] probe = "netwharf".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
            matches = false;
        }
        if (!matches) {
            throw invalid("private key " + quoted(options.key()) + " does not match the public key of certificate " + quoted(options.cert()));
        }
    }

    private static String quoted(Path file) {
        return "\"" + file + "\"";
    }

    private static IllegalArgumentException invalid(String reason) {
        return new IllegalArgumentException(reason.startsWith("invalid TLS configuration: ") ? reason : "invalid TLS configuration: " + reason);
    }
}
