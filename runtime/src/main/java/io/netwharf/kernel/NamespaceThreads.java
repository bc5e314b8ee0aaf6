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
 *
 * <p>A task may also run in new mount and UTS namespaces of its own ({@link #callInNewNamespaces}), made for it alone:
 * a process it spawns keeps them, and the worker returns to its home mount and UTS namespaces afterwards as it does
 * to its network namespace (a worker is born in its creator's of every kind).
 */
public final class NamespaceThreads implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceThreads.class);
    private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();
    private static final Runnable STOP = () -> { };
    /** The kinds of namespace a task may have made for it besides the network's. */
    private static final int PRIVATE_KINDS = LibC.CLONE_NEWNS | LibC.CLONE_NEWUTS;

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
        return join(submit(null, true, 0, task));
    }

    /**
     * Runs {@code task} inside {@code target} (null: the worker's home network namespace) and in new namespaces of
     * the kinds {@code kinds} names ({@link LibC#CLONE_NEWNS}, {@link LibC#CLONE_NEWUTS}), made by unshare(2) for this
     * task alone as copies of the worker's own; then the worker switches back to its home namespace of every kind. A
     * new mount namespace shares its mounts' propagation with the home one until the task makes them private.
     */
    public <T> T callInNewNamespaces(Netns target, int kinds, Callable<T> task) {
        if (kinds == 0 || (kinds & ~PRIVATE_KINDS) != 0) {
            throw new IllegalArgumentException("only new mount and UTS namespaces can be made for a task: 0x" + Integer.toHexString(kinds));
        }
        return join(submit(target, false, kinds, task));
    }

    /**
     * Runs {@code task} inside {@code target} (null: the worker's home network namespace) and inside the existing
     * mount and UTS namespaces {@code mountNamespace} and {@code utsNamespace} (open descriptors of
     * {@code /proc/<pid>/ns/mnt} and {@code .../uts}, the caller's to close); then the worker switches back home.
     */
    public <T> T callInNamespaces(Netns target, int mountNamespace, int utsNamespace, Callable<T> task) {
        return join(submit(target, false, 0, new int[] {mountNamespace, utsNamespace}, task));
    }

    public <T> CompletableFuture<T> submit(Netns target, Callable<T> task) {
        return submit(target, false, 0, task);
    }

    private <T> CompletableFuture<T> submit(Netns target, boolean unshare, int kinds, Callable<T> task) {
        return submit(target, unshare, kinds, null, task);
    }

    private <T> CompletableFuture<T> submit(Netns target, boolean unshare, int kinds, int[] join, Callable<T> task) {
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
        queue.add(() -> CURRENT.get().runInside(targetFd, unshare, kinds, join, targetName, task, result));
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
        private int homeMount = -1;
        private int homeUts = -1;

        @Override
        public void run() {
            CURRENT.set(this);
            tid = Native.LIBC.gettid();
            // Its own namespaces: a worker was born in its creator's, which are the ones to come back to.
            home = Native.LIBC.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
            homeMount = home < 0 ? -1 : Native.LIBC.open("/proc/thread-self/ns/mnt", LibC.O_RDONLY | LibC.O_CLOEXEC);
            homeUts = homeMount < 0 ? -1 : Native.LIBC.open("/proc/thread-self/ns/uts", LibC.O_RDONLY | LibC.O_CLOEXEC);
            started = true;
            if (homeUts < 0) {
                LOG.error("{} cannot open its own namespaces: {}", thread.getName(),
                        Native.describe(Native.errno()));
                Native.closeQuietly(home);
                Native.closeQuietly(homeMount);
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
                Native.closeQuietly(homeMount);
                Native.closeQuietly(homeUts);
            }
        }

        /** Enters, runs, switches back, and only then completes {@code result}: whoever sees it done finds the worker home. */
        <T> void runInside(int targetFd, boolean unshare, int kinds, int[] join, String targetName, Callable<T> task,
                           CompletableFuture<T> result) {
            boolean away = false;
            int awayKinds = 0;
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
                if (kinds != 0) {
                    // One call: it makes both or neither. CLONE_NEWNS also gives this thread a file system context
                    // (root, cwd, umask) of its own, which Linux allows a thread of a multi-threaded process.
                    Native.check(Native.LIBC.unshare(kinds), "create mount and UTS namespaces (unshare)");
                    awayKinds = kinds;
                }
                if (join != null) {
                    // setns(2) into a mount namespace needs a file system context of this thread's own.
                    Native.check(Native.LIBC.unshare(LibC.CLONE_FS), "unshare the file system context");
                    Native.check(Native.LIBC.setns(join[0], LibC.CLONE_NEWNS), "enter the mount namespace");
                    awayKinds |= LibC.CLONE_NEWNS;
                    Native.check(Native.LIBC.setns(join[1], LibC.CLONE_NEWUTS), "enter the UTS namespace");
                    awayKinds |= LibC.CLONE_NEWUTS;
                }
                value = task.call();
            } catch (Throwable t) {
                failure = t;
            }
            String homeLost = returnHome(away, awayKinds);
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(value);
            }
            if (homeLost != null) {
                throw new HomeLost(homeLost);
            }
        }

        /** Switches back to every home namespace left, trying each; null when all succeeded, else what failed. */
        private String returnHome(boolean net, int kinds) {
            List<String> failed = new ArrayList<>();
            if (net && Native.LIBC.setns(home, LibC.CLONE_NEWNET) < 0) {
                failed.add("netns: " + Native.describe(Native.errno()));
            }
            if ((kinds & LibC.CLONE_NEWNS) != 0 && Native.LIBC.setns(homeMount, LibC.CLONE_NEWNS) < 0) {
                failed.add("mount namespace: " + Native.describe(Native.errno()));
            }
            if ((kinds & LibC.CLONE_NEWUTS) != 0 && Native.LIBC.setns(homeUts, LibC.CLONE_NEWUTS) < 0) {
                failed.add("UTS namespace: " + Native.describe(Native.errno()));
            }
            return failed.isEmpty() ? null : String.join(", ", failed);
        }
    }

    /** Thrown out of a worker whose switch back home failed, to end it. */
    private static final class HomeLost extends RuntimeException {
        HomeLost(String message) {
            super(message);
        }
    }
}
