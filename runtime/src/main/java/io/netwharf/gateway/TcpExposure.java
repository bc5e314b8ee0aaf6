package io.netwharf.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Whether a TCP listener may be opened without client authentication, as dockerd decides it (moby's
 * daemon/command/daemon.go loadListeners): every TCP listener without mutual TLS gets dockerd's warnings; one on an
 * address that is not loopback ({@code 0.0.0.0} included) is refused unless the user said {@code --tls=false} or
 * {@code --tlsverify=false} explicitly. dockerd still starts there after warning and sleeping 15 seconds, and says
 * it will refuse in a future release; netwharf refuses now, with dockerd's advice, and does not sleep when the user
 * has opted out (the warning is logged instead).
 */
public final class TcpExposure {
    private TcpExposure() {}

    /** Why {@code address} may not be listened on with {@code tls}, if it may not. */
    public static Optional<String> refusal(ListenAddress.Tcp address, TlsOptions tls) {
        if (tls.verifiesClients() || tls.unauthenticatedByChoice() || isLoopback(address.host())) {
            return Optional.empty();
        }
        return Optional.of("refusing to serve " + address + " without TLS client authentication: anyone who can reach "
                + address.host() + " would get root on this machine. Use --tlsverify with --tlscacert, --tlscert and "
                + "--tlskey (client certificates checked), or listen on a loopback address; to run without "
                + "authentication anyway, say so explicitly with --tls=false or --tlsverify=false");
    }

    /** dockerd's warnings for a TCP listener without mutual TLS; none with it. */
    public static List<String> warnings(ListenAddress.Tcp address, TlsOptions tls) {
        if (tls.verifiesClients()) {
            return List.of();
        }
        String host = "host=\"" + address + "\": ";
        List<String> warnings = new java.util.ArrayList<>(List.of(
                host + "Binding to IP address without --tlsverify is insecure and gives root access on this machine to "
                        + "everyone who has access to your network.",
                host + "Binding to an IP address, even on localhost, can also give access to scripts run in a browser. "
                        + "Be safe out there!"));
        if (!isLoopback(address.host())) {
            warnings.add(host + "Listening on a non-loopback address without client authentication because "
                    + (Boolean.FALSE.equals(tls.tlsVerify()) ? "--tlsverify=false" : "--tls=false")
                    + " was given: every client that can reach it controls this machine as root.");
        }
        return warnings;
    }

    /**
     * Whether {@code host} is a loopback address, or a name that resolves to one ("localhost" without a lookup, as
     * dockerd). A name that cannot be resolved is not loopback.
     */
    static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
