package io.netwharf.gateway;

import java.nio.file.Path;
import java.util.Map;

/**
 * How the gateway's TCP listeners are secured: dockerd's {@code --tls}, {@code --tlsverify}, {@code --tlscacert},
 * {@code --tlscert} and {@code --tlskey} (daemon.json: {@code tls}, {@code tlsverify}, {@code tlscacert},
 * {@code tlscert}, {@code tlskey}) with dockerd's meaning (moby's daemon/command/options.go and daemon.go):
 * <ul>
 *   <li>{@code --tlsverify}, whether true or false, turns TLS on;</li>
 *   <li>with TLS on, client certificates are required and checked against the CA file (mutual TLS) unless
 *       {@code --tlsverify=false} is given: {@code --tls} alone verifies clients, as dockerd does today;</li>
 *   <li>{@code --tls=false} or {@code --tlsverify=false} given explicitly is the user's "I know TCP is
 *       unauthenticated", which a listener on a non-loopback address needs ({@link TcpExposure}).</li>
 * </ul>
 * {@code tls} and {@code tlsVerify} are {@code null} when not given. Unix sockets never use TLS.
 */
public record TlsOptions(Boolean tls, Boolean tlsVerify, Path caCert, Path cert, Path key) {
    public static final String CA_FILE = "ca.pem";
    public static final String CERT_FILE = "cert.pem";
    public static final String KEY_FILE = "key.pem";

    public TlsOptions {
        caCert = caCert.toAbsolutePath().normalize();
        cert = cert.toAbsolutePath().normalize();
        key = key.toAbsolutePath().normalize();
    }

    /** Nothing given: plain TCP, the files at dockerd's default places. */
    public static TlsOptions notGiven() {
        return withDefaultFiles(null, null);
    }

    /** {@code tls} and {@code tlsVerify} as given, the files at dockerd's default places. */
    public static TlsOptions withDefaultFiles(Boolean tls, Boolean tlsVerify) {
        Path dir = defaultCertDirectory(System.getenv(), System.getProperty("user.home"));
        return new TlsOptions(tls, tlsVerify, dir.resolve(CA_FILE), dir.resolve(CERT_FILE), dir.resolve(KEY_FILE));
    }

    /** Where dockerd looks for ca.pem, cert.pem and key.pem: $DOCKER_CERT_PATH, else $DOCKER_CONFIG, else ~/.docker. */
    public static Path defaultCertDirectory(Map<String, String> environment, String home) {
        for (String variable : new String[] {"DOCKER_CERT_PATH", "DOCKER_CONFIG"}) {
            String value = environment.get(variable);
            if (value != null && !value.isEmpty()) {
                return Path.of(value);
            }
        }
        return Path.of(home, ".docker");
    }

    /** Whether TCP is served with TLS: {@code --tls}, or {@code --tlsverify} with either value. */
    public boolean enabled() {
        return tlsVerify != null || Boolean.TRUE.equals(tls);
    }

    /** Whether clients must present a certificate signed by the CA: TLS on and {@code --tlsverify} not false. */
    public boolean verifiesClients() {
        return enabled() && !Boolean.FALSE.equals(tlsVerify);
    }

    /**
     * Whether the user said explicitly that TCP may go without client authentication ({@code --tls=false} or
     * {@code --tlsverify=false}): moby's checkTLSAuthOK.
     */
    public boolean unauthenticatedByChoice() {
        return !verifiesClients() && (Boolean.FALSE.equals(tls) || Boolean.FALSE.equals(tlsVerify));
    }

    /** How TCP is served, for the log: "mutual TLS", "TLS without client certificates" or "plain HTTP". */
    public String describe() {
        return verifiesClients() ? "TLS, client certificates checked against " + caCert
                : enabled() ? "TLS without client certificates" : "plain HTTP, no TLS";
    }
}
