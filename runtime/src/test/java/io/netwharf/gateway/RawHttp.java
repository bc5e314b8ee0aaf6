package io.netwharf.gateway;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection to the gateway, TCP or Unix socket, on which a test writes bytes by hand (broken chunked framing,
 * a body that stops) and reads the one response that comes back, framed by its {@code Content-Length}.
 */
final class RawHttp implements Closeable {
    /** The answer: status and body, and how long it took from the last write. */
    record Response(int status, String body, Duration after) {}

    private final SocketChannel channel;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ExecutorService reader = Executors.newSingleThreadExecutor();
    private long lastWrite = System.nanoTime();

    private RawHttp(SocketChannel channel, Socket socket) throws IOException {
        this.channel = channel;
        this.socket = socket;
        this.in = socket != null ? socket.getInputStream() : Channels.newInputStream(channel);
        this.out = socket != null ? socket.getOutputStream() : null;
    }

    static RawHttp tcp(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new RawHttp(null, s);
    }

    static RawHttp unix(Path socket) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        return new RawHttp(c, null);
    }

    RawHttp write(String text) throws IOException {
        return write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp write(byte[] bytes) throws IOException {
        if (out != null) {
            out.write(bytes);
            out.flush();
        } else {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }
        lastWrite = System.nanoTime();
        return this;
    }

    /** Ends what the client sends; the connection stays open for the answer. */
    RawHttp shutdownOutput() throws IOException {
        if (socket != null) {
            socket.shutdownOutput();
        } else {
            channel.shutdownOutput();
        }
        return this;
    }

    /**
     * The response, or an AssertionError when none is complete within {@code timeout}; null when the server closed
     * the connection without answering.
     */
    Response response(Duration timeout) {
        Future<Response> read = reader.submit(this::read);
        try {
            return read.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            read.cancel(true);
            throw new AssertionError("no response within " + timeout);
        } catch (Exception e) {
            throw new AssertionError("reading the response failed", e);
        }
    }

    private Response read() throws IOException {
        String status;
        try {
            status = line();
        } catch (ClosedWithoutAnswer e) {
            return null;
        }
        int contentLength = 0;
        for (String header = line(); !header.isEmpty(); header = line()) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                contentLength = Integer.parseInt(header.substring("content-length:".length()).strip());
            }
        }
        byte[] body = in.readNBytes(contentLength);
        Duration after = Duration.ofNanos(System.nanoTime() - lastWrite);
        return new Response(Integer.parseInt(status.split(" ")[1]), new String(body, StandardCharsets.UTF_8), after);
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0 && line.size() == 0) {
                throw new ClosedWithoutAnswer();
            }
            if (b < 0) {
                throw new EOFException("connection closed after " + line.toString(StandardCharsets.ISO_8859_1));
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        reader.shutdownNow();
        if (socket != null) {
            socket.close();
        } else {
            channel.close();
        }
    }

    private static final class ClosedWithoutAnswer extends IOException {
    }
}
