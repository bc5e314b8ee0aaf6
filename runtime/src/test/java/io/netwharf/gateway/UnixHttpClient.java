package io.netwharf.gateway;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/** A minimal HTTP/1.1 client on one Unix socket connection, for tests: one request at a time, Content-Length bodies. */
final class UnixHttpClient implements Closeable {
    record Response(int status, String body) {}

    private final SocketChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(8192);

    UnixHttpClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        buffer.flip();
    }

    Response get(String path) throws IOException {
        send("GET", path);
        return receive();
    }

    void send(String method, String path) throws IOException {
        ByteBuffer request = ByteBuffer.wrap((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        while (request.hasRemaining()) {
            channel.write(request);
        }
    }

    /** A HEAD request: the headers only, whatever Content-Length says. */
    Response head(String path) throws IOException {
        send("HEAD", path);
        return receive(false);
    }

    Response receive() throws IOException {
        return receive(true);
    }

    private Response receive(boolean withBody) throws IOException {
        String status = line();
        int contentLength = 0;
        for (String header = line(); !header.isEmpty(); header = line()) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                contentLength = Integer.parseInt(header.substring("content-length:".length()).strip());
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (withBody && body.size() < contentLength) {
            body.write(nextByte());
        }
        return new Response(Integer.parseInt(status.split(" ")[1]), body.toString(StandardCharsets.UTF_8));
    }

    /** True if the server closed the connection (reads the end of stream). */
    boolean closedByServer() throws IOException {
        try {
            return !buffer.hasRemaining() && fill() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = nextByte(); b != '\n'; b = nextByte()) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private int nextByte() throws IOException {
        if (!buffer.hasRemaining() && fill() < 0) {
            throw new IOException("connection closed by the server");
        }
        return buffer.get() & 0xff;
    }

    private int fill() throws IOException {
        buffer.clear();
        int count = channel.read(buffer);
        buffer.flip();
        return count;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
