package io.netwharf.gateway;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made for a test, as docker's "protect the daemon socket" guide makes them with openssl: a CA, a
 * server certificate for 127.0.0.1 and localhost (RSA key written as PKCS#1, "BEGIN RSA PRIVATE KEY"), a client
 * certificate (EC key written as SEC1, "BEGIN EC PRIVATE KEY") and a client certificate from another CA, all as PEM
 * files in {@code dir}.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    public final Path dir;
    public final Path caCert;
    public final Path serverCert;
    public final Path serverKey;
    public final Path clientCert;
    public final Path clientKey;
    public final Path strangerCert;
    public final Path strangerKey;
    private final X509Certificate ca;
    private final KeyPair server;
    private final KeyPair client;
    private final X509Certificate clientCertificate;
    private final KeyPair stranger;
    private final X509Certificate strangerCertificate;

    public TestCertificates(Path dir) throws IOException, GeneralSecurityException {
        this.dir = dir;
        KeyPair caKeys = ec();
        ca = sign("CN=netwharf test CA", caKeys, "CN=netwharf test CA", caKeys, true, null, null);
        server = rsa();
        X509Certificate serverCertificate = sign("CN=netwharf test CA", caKeys, "CN=netwharf server", server, false,
                KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}));
        client = ec();
        clientCertificate = sign("CN=netwharf test CA", caKeys, "CN=client", client, false, KeyPurposeId.id_kp_clientAuth, null);
        KeyPair otherCa = ec();
        stranger = ec();
        strangerCertificate = sign("CN=another CA", otherCa, "CN=stranger", stranger, false, KeyPurposeId.id_kp_clientAuth, null);

        caCert = pem(dir.resolve("ca.pem"), ca);
        serverCert = pem(dir.resolve("server-cert.pem"), serverCertificate);
        serverKey = pem(dir.resolve("server-key.pem"), server.getPrivate());
        clientCert = pem(dir.resolve("cert.pem"), clientCertificate);
        clientKey = pem(dir.resolve("key.pem"), client.getPrivate());
        strangerCert = pem(dir.resolve("stranger-cert.pem"), strangerCertificate);
        strangerKey = pem(dir.resolve("stranger-key.pem"), stranger.getPrivate());
    }

    /** The server's settings: mutual TLS ({@code --tlsverify}) or TLS only ({@code --tls --tlsverify=false}). */
    public TlsOptions server(boolean verifyClients) {
        return new TlsOptions(true, verifyClients, caCert, serverCert, serverKey);
    }

    /** The server key again, as PKCS#8 ("BEGIN PRIVATE KEY"). */
    public Path serverKeyAsPkcs8() throws IOException {
        return pkcs8(dir.resolve("server-key-pkcs8.pem"), server.getPrivate());
    }


    /** A client that trusts the CA and presents the client certificate. */
    public SSLContext clientWithCertificate() throws GeneralSecurityException, IOException {
        return client(client, clientCertificate);
    }

    /** A client that trusts the CA and presents a certificate from another CA. */
    public SSLContext clientWithStrangersCertificate() throws GeneralSecurityException, IOException {
        return client(stranger, strangerCertificate);
    }

    /** A client that trusts the CA and has no certificate. */
    public SSLContext clientWithoutCertificate() throws GeneralSecurityException, IOException {
        return client(null, null);
    }

    private SSLContext client(KeyPair keys, X509Certificate certificate) throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", ca);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        KeyManagerFactory keyManagers = null;
        if (keys != null) {
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            own.setKeyEntry("client", keys.getPrivate(), new char[0], new Certificate[] {certificate});
            keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(own, new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    private static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(String issuer, KeyPair issuerKeys, String subject, KeyPair subjectKeys, boolean isCa,
                                        KeyPurposeId purpose, GeneralNames names) throws GeneralSecurityException, IOException {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name(subject), subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        } else {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        if (names != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
        String algorithm = issuerKeys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate()));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** Writes a certificate or a key as openssl does (keys in their traditional form: PKCS#1, SEC1). */
    static Path pem(Path file, Object value) throws IOException {
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (value instanceof java.security.interfaces.ECPrivateKey key) {
                writer.writeObject(sec1(key));
            } else {
                writer.writeObject(value);
            }
        }
        return file;
    }

    /**
     * An EC key as openssl writes it, "BEGIN EC PRIVATE KEY" naming its curve; Java's own encoding keeps the curve in
     * the PKCS#8 wrapper only, and a SEC1 key without it is unreadable (to Go as well).
     */
    private static PemObject sec1(java.security.interfaces.ECPrivateKey key) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        ECPrivateKey withCurve = new ECPrivateKey(key.getParams().getOrder().bitLength(), key.getS(), null,
                info.getPrivateKeyAlgorithm().getParameters());
        return new PemObject("EC PRIVATE KEY", withCurve.getEncoded());
    }

    /** Writes a private key as PKCS#8 ("BEGIN PRIVATE KEY"). */
    static Path pkcs8(Path file, java.security.PrivateKey key) throws IOException {
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(key, null));
        }
        return file;
    }
}
