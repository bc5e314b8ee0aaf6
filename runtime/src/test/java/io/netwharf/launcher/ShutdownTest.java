package io.netwharf.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to a daemon with requests in flight: it stops accepting, and every request already sent gets a complete
 * answer (its own, or 503 past the deadline) before the connections close; then the daemon exits 0.
 */
class ShutdownTest {
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");

    @TempDir
    Path dir;

    @Test
    void sigtermAnswersEveryRequestInFlight() throws Exception {
        try (DaemonChild daemon = new DaemonChild(dir).awaitListening()) {
            assertEquals(200, Curl.request(daemon.socket, "POST", "/v1.51/images/create?fromImage=debian&tag=latest", null).status());
            List<SocketChannel> clients = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                clients.add(SocketChannel.open(StandardProtocolFamily.UNIX));
                clients.get(i).connect(UnixDomainSocketAddress.of(daemon.socket));
            }
            for (int i = 0; i < 16; i++) {
                String body = i % 2 == 0
                        ? "{\"Image\":\"debian\",\"Cmd\":[\"sleep\",\"600\"]}"
                        : "{\"Name\":\"net" + i + "\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.88." + i + ".0/24\"}]}}";
                String path = i % 2 == 0 ? "/v1.51/containers/create?name=c" + i : "/v1.51/networks/create";
                write(clients.get(i), "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body);
            }
            daemon.terminate(); // SIGTERM to the daemon's pid, with the 16 requests sent
            List<CompletableFuture<String>> answers = clients.stream()
                    .map(c -> CompletableFuture.supplyAsync(() -> readUntilClosed(c))).toList();
            int exit = daemon.awaitExit(30);
            List<String> statuses = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String answer = answers.get(i).get(30, TimeUnit.SECONDS);
                assertTrue(answer.startsWith("HTTP/1.1 "), "client " + i + " got no answer: '" + answer + "'\n" + daemon.log());
                assertTrue(isComplete(answer), "client " + i + " got a truncated answer: " + answer);
                statuses.add(answer.substring(9, 12));
                clients.get(i).close();
            }
            System.out.println("[ShutdownTest] answers to the 16 requests in flight at SIGTERM: " + statuses);
            assertEquals(0, exit, daemon.log());
        }
    }

    private static void write(SocketChannel channel, String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private static String readUntilClosed(SocketChannel channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        try {
            while (channel.read(buffer.clear()) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
            }
        } catch (IOException reset) {
            // what came before the reset is what the client got
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Headers whole, and as many body bytes as Content-Length says (the gateway's answers here all carry one). */
    private static boolean isComplete(String answer) {
        int end = answer.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        Matcher length = CONTENT_LENGTH.matcher(answer.substring(0, end));
        return length.find() && answer.substring(end + 4).getBytes(StandardCharsets.UTF_8).length == Integer.parseInt(length.group(1))
                || answer.substring(0, end).toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked") && answer.endsWith("0\r\n\r\n");
    }
}
