package io.netwharf.gateway;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One client connection to a gateway listener, Unix socket or TCP, written byte by byte as a careless or hostile client
 * would: idle, trickling, or sending a request and reading what comes back until the server closes.
 */
final class RawConnection implements Closeable {
    /** Where a listener is: a Unix socket path or a TCP port on 127.0.0.1. */
    record Endpoint(String name, SocketAddress address) {
        static Endpoint unix(Path socket) {
            return new Endpoint("unix", UnixDomainSocketAddress.of(socket));
        }

        static Endpoint tcp(int port) {
            return new Endpoint("tcp", new InetSocketAddress("127.0.0.1", port));
        }

        RawConnection open() throws IOException {
            return new RawConnection(this);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final SocketChannel channel;

    RawConnection(Endpoint endpoint) throws IOException {
        channel = SocketChannel.open(endpoint.address() instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
        channel.connect(endpoint.address());
    }

    void write(String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Everything the server sends until it closes the connection, or a TimeoutException after {@code seconds}. */
    String readUntilClosed(int seconds) throws Exception {
        CompletableFuture<String> all = CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            try {
                while (channel.read(buffer.clear()) >= 0) {
                    out.write(buffer.array(), 0, buffer.position());
                }
            } catch (IOException closed) {
                // reset or closed here: the end all the same
            }
            return out.toString(StandardCharsets.UTF_8);
        });
        try {
            return all.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            close();
            throw e;
        }
    }

    /** The status of the first answer among {@code text} (an HTTP response), or -1 if there is none. */
    static int status(String text) {
        return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
