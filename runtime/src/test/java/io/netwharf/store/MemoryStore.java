package io.netwharf.store;

import org.apache.pekko.Done;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A store in memory, for tests of what the runtime writes and of what a restart does with it: it outlives the
 * runtimes given it (a "restart" is a new runtime on the same instance), and it records every change applied.
 */
public final class MemoryStore implements Store {
    private final Map<String, StoredNetwork> networks = new LinkedHashMap<>();
    private final Map<String, StoredSandbox> sandboxes = new LinkedHashMap<>();
    private final Map<String, StoredEndpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, StoredContainer> containers = new LinkedHashMap<>();
    private final Map<String, StoredImage> images = new LinkedHashMap<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<Change> applied = new ArrayList<>();

    @Override
    public synchronized StoredState load() {
        return new StoredState(List.copyOf(networks.values()), List.copyOf(sandboxes.values()), List.copyOf(endpoints.values()),
                List.copyOf(containers.values()), List.copyOf(images.values()), Map.copyOf(settings));
    }

    @Override
    public synchronized CompletionStage<Done> apply(List<Change> changes) {
        for (Change change : changes) {
            applied.add(change);
            if (change instanceof Change.PutNetwork c) {
                networks.put(c.network().id(), c.network());
            } else if (change instanceof Change.DeleteNetwork c) {
                networks.remove(c.id());
            } else if (change instanceof Change.PutSandbox c) {
                sandboxes.put(c.sandbox().containerId(), c.sandbox());
            } else if (change instanceof Change.DeleteSandbox c) {
                sandboxes.remove(c.containerId());
                endpoints.values().removeIf(e -> e.containerId().equals(c.containerId()));
            } else if (change instanceof Change.PutEndpoint c) {
                endpoints.put(c.endpoint().containerId() + "/" + c.endpoint().networkId(), c.endpoint());
            } else if (change instanceof Change.DeleteEndpoint c) {
                endpoints.remove(c.containerId() + "/" + c.networkId());
            } else if (change instanceof Change.PutContainer c) {
                containers.put(c.container().id(), c.container());
            } else if (change instanceof Change.DeleteContainer c) {
                containers.remove(c.id());
            } else if (change instanceof Change.PutImage c) {
                images.put(c.image().id(), c.image());
            } else if (change instanceof Change.DeleteImage c) {
                images.remove(c.id());
            } else if (change instanceof Change.PutSetting c) {
                if (c.value() == null) {
                    settings.remove(c.key());
                } else {
                    settings.put(c.key(), c.value());
                }
            }
        }
        return CompletableFuture.completedFuture(Done.getInstance());
    }

    /** Every change applied so far, in order. */
    public synchronized List<Change> applied() {
        return List.copyOf(applied);
    }

    @Override
    public Path location() {
        return null;
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public void close() {
        // Kept for the next runtime: a restart reads it again.
    }
}
