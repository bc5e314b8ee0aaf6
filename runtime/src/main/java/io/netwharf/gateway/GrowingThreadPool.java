package io.netwharf.gateway;

import com.typesafe.config.Config;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * An executor for Pekko dispatchers whose tasks block for as long as a client likes: a thread per task in flight, made
 * when none is idle and ended after {@code keep-alive-time} of idleness, up to {@code max-pool-size} (a cached thread
 * pool with a ceiling). Pekko's {@code thread-pool-executor} cannot do this: with its unbounded queue it never grows
 * past its core size, and a large core size makes a new thread for every task until it is reached.
 *
 * <p>Configured under the dispatcher's {@code growing-thread-pool} section; see {@code netwharf.gateway.io-dispatcher}
 * in reference.conf.
 */
public final class GrowingThreadPool extends ExecutorServiceConfigurator {
    private final int maxPoolSize;
    private final long keepAliveMillis;

    public GrowingThreadPool(Config config, DispatcherPrerequisites prerequisites) {
        super(config, prerequisites);
        Config pool = config.getConfig("growing-thread-pool");
        this.maxPoolSize = pool.getInt("max-pool-size");
        this.keepAliveMillis = pool.getDuration("keep-alive-time", TimeUnit.MILLISECONDS);
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("growing-thread-pool.max-pool-size must be at least 1, not " + maxPoolSize);
        }
    }

    @Override
    public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
        return () -> new ThreadPoolExecutor(0, maxPoolSize, keepAliveMillis, TimeUnit.MILLISECONDS, new SynchronousQueue<>(),
                threadFactory);
    }
}
