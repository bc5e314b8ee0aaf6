package io.netwharf.protocol.model;

/**
 * One published port ({@code -p [hostIp:][hostPort[-hostPortEnd]:]containerPort[/protocol]}): traffic arriving at
 * the host on {@code hostIp:hostPort} for {@code protocol} is forwarded to the container's {@code containerPort}.
 *
 * @param hostIp        the host address it is published on; empty: every IPv4 address of the host ({@code 0.0.0.0})
 * @param hostPort      the host port; 0: one chosen by the runtime from {@code ip_local_port_range}
 * @param hostPortEnd   with {@code hostPort}, a range to choose one free port from ({@code -p 8000-8010:80}); equal to
 *                      {@code hostPort} (or 0 with it) for a single port
 * @param containerPort the port inside the container, 1..65535
 * @param protocol      {@code tcp}, {@code udp} or {@code sctp}
 */
public record PortBinding(String hostIp, int hostPort, int hostPortEnd, int containerPort, String protocol) {
    public PortBinding {
        hostIp = hostIp == null ? "" : hostIp;
        protocol = protocol == null || protocol.isEmpty() ? "tcp" : protocol;
    }

    /** A binding to exactly one host port (0: any). */
    public PortBinding(String hostIp, int hostPort, int containerPort, String protocol) {
        this(hostIp, hostPort, hostPort, containerPort, protocol);
    }

    /** Docker's key for the container side: {@code 80/tcp}. */
    public String containerKey() {
        return containerPort + "/" + protocol;
    }
}
