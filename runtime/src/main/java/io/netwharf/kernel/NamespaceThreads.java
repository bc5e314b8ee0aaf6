package io.netwharf.kernel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dedicated platform threads that step into network namespaces. setns(2) and unshare(2) change only the calling
 * thread, so a task here: enters the namespace, does a few system calls, and switches back whatever the task did
 * (it catches every Throwable first).
 * A thread that cannot switch back dies rather than serve another task from the wrong namespace. A task's future
 * completes only once its worker is back home.
 *
 * <p>Tasks must do nothing but system calls and must not start threads or submit work here (a thread created
 * inside a namespace would live in it for good); a task that submits is refused.
 *
 * <p>Workers are created from the thread that calls the constructor or {@link #submit}, never from a worker, so each
 * new worker starts in that thread's namespace, which becomes its home.
 */
public final class NamespaceThreads implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceThreads.class);
    private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();
    private static final Runnable STOP = () -> { };

    private final String name;
    private final int size;
    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final List<Worker> workers = new ArrayList<>();
    private final AtomicInteger created = new AtomicInteger();
    private volatile boolean closed;

    public NamespaceThreads(String name, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1: " + size);
        }
        this.name = name;
        this.size = size;
        synchronized (workers) {
            for (int i = 0; i < size; i++) {
                startWorker();
            }
        }
    }

    /** Runs {@code task} inside {@code target} (or in the worker's home namespace when null) and waits. */
    public <T> T call(Netns target, Callable<T> task) {
        return join(submit(target, task));
    }

    /** Runs {@code task} in a new, empty network namespace made by unshare(2), then switches back. */
    public <T> T callInNewNamespace(Callable<T> task) {
        return join(submit(null, true, task));
    }

    public <T> CompletableFuture<T> submit(Netns target, Callable<T> task) {
        return submit(target, false, task);
    }

    private <T> CompletableFuture<T> submit(Netns target, boolean unshare, Callable<T> task) {
        if (CURRENT.get() != null) {
            throw new IllegalStateException("a namespace task may not submit another: it would wait on itself or spawn a thread inside a namespace");
        }
        if (closed) {
            throw new IllegalStateException("namespace threads " + name + " are closed");
        }
        replaceDeadWorkers();
        CompletableFuture<T> result = new CompletableFuture<>();
        int targetFd = target == null ? -1 : target.fd();
        String targetName = target == null ? "a new netns" : target.toString();
        queue.add(() -> CURRENT.get().runInside(targetFd, unshare, targetName, task, result));
        return result;
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a namespace task", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new CompletionException(cause);
        }
    }

    /** The kernel thread ids of the live workers, for checking from outside which namespace each is in. */
    public List<Integer> workerThreadIds() {
        synchronized (workers) {
            return workers.stream().filter(w -> w.thread.isAlive()).map(w -> w.tid).toList();
        }
    }

    private void replaceDeadWorkers() {
        synchronized (workers) {
            if (workers.removeIf(w -> !w.thread.isAlive() && w.started)) {
                while (workers.size() < size && !closed) {
                    startWorker();
                }
            }
        }
    }

    private void startWorker() {
        Worker w = new Worker();
        Thread t = new Thread(w, name + "-" + created.incrementAndGet());
        t.setDaemon(true);
        w.thread = t;
        workers.add(w);
        t.start();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (workers) {
            for (int i = 0; i < workers.size(); i++) {
                queue.add(STOP);
            }
        }
    }

    private final class Worker implements Runnable {
        volatile Thread thread;
        volatile boolean started;
        volatile int tid;
        private int home = -1;

        @Override
        public void run() {
            CURRENT.set(this);
            tid = Native.LIBC.gettid();
            // Its own namespace: a worker was born in its creator's, which is the one to come back to.
            home = Native.LIBC.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
            started = true;
            if (home < 0) {
                LOG.error("{} cannot open its own namespace: {}", thread.getName(),
                        Native.describe(Native.errno()));
                return;
            }
            try {
                while (true) {
                    Runnable r = queue.take();
                    if (r == STOP) {
                        return;
                    }
                    r.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (HomeLost e) {
                LOG.error("{} could not return to its own namespace and stops: {}",
                        thread.getName(), e.getMessage());
            } finally {
                Native.closeQuietly(home);
            }
        }

        /** Enters, runs, switches back, and only then completes {@code result}: whoever sees it done finds the worker home. */
        <T> void runInside(int targetFd, boolean unshare, String targetName, Callable<T> task, CompletableFuture<T> result) {
            boolean away = false;
            T value = null;
            Throwable failure = null;
            try {
                if (unshare) {
                    Native.check(Native.LIBC.unshare(LibC.CLONE_NEWNET), "create netns (unshare)");
                    away = true;
                } else if (targetFd >= 0) {
                    Native.check(Native.LIBC.setns(targetFd, LibC.CLONE_NEWNET), "enter " + targetName);
                    away = true;
                }
                value = task.call();
            } catch (Throwable t) {
                failure = t;
            }
            String homeLost = away && Native.LIBC.setns(home, LibC.CLONE_NEWNET) < 0 ? Native.describe(Native.errno()) : null;
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(value);
            }
            if (homeLost != null) {
                throw new HomeLost(homeLost);
            }
        }
    }

    /** Thrown out of a worker whose switch back home failed, to end it. */
    private static final class HomeLost extends RuntimeException {
        HomeLost(String message) {
            super(message);
        }
    }
}
