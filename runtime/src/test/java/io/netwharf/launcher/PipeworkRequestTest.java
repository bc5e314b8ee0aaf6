package io.netwharf.launcher;

import io.netwharf.ipam.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pipework's arguments, checked before the daemon is asked anything. Pure; no root. */
class PipeworkRequestTest {
    @Test
    void addressPrefixGatewayAndMac() {
        PipeworkRequest r = PipeworkRequest.parse("br1", "eth1", "web", "10.1.0.5/24@10.1.0.1", "02:AA:00:00:00:05");
        assertEquals(Ipv4.parse("10.1.0.5"), r.address());
        assertEquals("10.1.0.0/24", r.subnet().toString());
        assertEquals(Ipv4.parse("10.1.0.1"), r.gateway());
        assertEquals("02:aa:00:00:00:05", r.mac());
        assertEquals("eth1", r.interfaceName());
    }

    @Test
    void gatewayAndMacAreOptional() {
        PipeworkRequest r = PipeworkRequest.parse("eth0", null, "web", "192.168.7.9/20", null);
        assertEquals("192.168.0.0/20", r.subnet().toString());
        assertNull(r.gateway());
        assertNull(r.mac());
        assertNull(r.interfaceName());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "br1|  |web|dhcp|                          |dhcp is not supported",
            "br1|  |web|dhcp:-f|                       |dhcp is not supported",
            "br1|  |web|10.1.0.5/24|02:42:0a:01:00:05@10|VLAN tags (@10) are not supported",
            "br1|  |web|10.1.0.5/24|@10                  |VLAN tags (@10) are not supported",
            "br1|  |web|10.1.0.5|                      |expected <ip>/<prefix>[@<gateway>]",
            "br1|  |web|10.1.0.5/33|                   |invalid address \"10.1.0.5/33\"",
            "br1|  |web|10.1.0.300/24|                 |invalid address",
            "br1|  |web|10.1.0.5/24@10.2.0.1|          |gateway 10.2.0.1 is outside 10.1.0.0/24",
            "br1|  |web|10.1.0.1/24@10.1.0.1|          |is also the gateway",
            "br1|  |web|10.1.0.5/24|02:42:0a:01:00      |invalid MAC address",
            "br1|  |web|10.1.0.5/24|01:00:5e:00:00:01    |it is a multicast address",
            "a-name-far-too-long|  |web|10.1.0.5/24|    |invalid host interface name",
            "br1|eth/1|web|10.1.0.5/24|                |invalid container interface (-i) name",
            "br1|  |''|10.1.0.5/24|                    |no container given",
    })
    void refusedInWords(String hostInterface, String ifname, String container, String address, String mac, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PipeworkRequest.parse(hostInterface, ifname, container, address, mac));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
