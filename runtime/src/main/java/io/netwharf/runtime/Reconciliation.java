package io.netwharf.runtime;

import io.netwharf.ipam.Ipv4;
import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.HostKernel;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NamespaceProcesses;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;
import io.netwharf.kernel.ProcessGroups;
import io.netwharf.kernel.ProcessStartTime;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.rtnetlink.AddressMessage;
import io.netwharf.store.Change;
import io.netwharf.store.Phase;
import io.netwharf.store.StoredContainer;
import io.netwharf.store.StoredEndpoint;
import io.netwharf.store.StoredNetwork;
import io.netwharf.store.StoredSandbox;
import io.netwharf.store.StoredState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A start's first step, before any network is brought back and before the API answers: the store and the kernel are
 * made to agree. What the store says was running is adopted (with {@code --live-restore}, when its namespace and
 * process are alive) or stopped as dockerd stops containers (stop signal, SIGKILL after the stop timeout) and kept as
 * exited; every namespace under the exec root that is not adopted goes, with any process still inside it; every link
 * netwharf marked that the store does not account for goes; records of work a crash interrupted (still in intent)
 * are dropped. What it changed in the store is returned, to be committed before anything else.
 *
 * <p>Blocking: runs on the kernel dispatcher, once.
 */
final class Reconciliation {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciliation.class);
    /** Docker's exit code for a container whose process ended while the daemon could not see how. */
    static final int UNKNOWN_EXIT = 255;
    private static final int SIGKILL = 9;
    private static final Duration POLL = Duration.ofMillis(20);
    /** How long a SIGKILLed process may take to be gone before the reconcile goes on without it (and says so). */
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    /** A sandbox kept running across the restart, with its endpoints and the IPv4 addresses its namespace carries. */
    record KeptSandbox(StoredSandbox sandbox, List<StoredEndpoint> endpoints, Set<Integer> addresses) {}

    /**
     * The outcome: the networks to bring back (done ones), the sandboxes to adopt, the store's corrections (to be
     * committed first), and what was found, for the log.
     */
    record Outcome(List<StoredNetwork> networks, List<KeptSandbox> sandboxes, List<Change> corrections, Counts counts) {}

    /** What the reconcile did, counted. */
    record Counts(int adopted, int stopped, int namespacesRemoved, int processesKilled, int linksRemoved, int recordsDropped) {
        @Override
        public String toString() {
            return adopted + " containers adopted, " + stopped + " stopped, " + namespacesRemoved + " namespaces and " + linksRemoved
                    + " links removed, " + processesKilled + " stray processes killed, " + recordsDropped + " unfinished records dropped";
        }
    }

    /** The outcome when there is nothing to reconcile: no store. */
    static final Outcome NOTHING = new Outcome(List.of(), List.of(), List.of(), new Counts(0, 0, 0, 0, 0, 0));

    private final StoredState state;
    private final HostKernel kernel;
    private final boolean liveRestore;
    private final List<Change> corrections = new ArrayList<>();
    private final Map<String, StoredContainer> containers;
    private final Map<String, List<StoredEndpoint>> endpointsByContainer = new HashMap<>();
    private int stopped;
    private int namespacesRemoved;
    private int processesKilled;
    private int linksRemoved;
    private int recordsDropped;

    private Reconciliation(StoredState state, HostKernel kernel, boolean liveRestore) {
        this.state = state;
        this.kernel = kernel;
        this.liveRestore = liveRestore;
        this.containers = state.containers().stream().collect(Collectors.toMap(StoredContainer::id, Function.identity()));
        state.endpoints().forEach(e -> endpointsByContainer.computeIfAbsent(e.containerId(), k -> new ArrayList<>()).add(e));
    }

    static Outcome run(StoredState state, HostKernel kernel, boolean liveRestore, LinkSweep links) {
        return new Reconciliation(state, kernel, liveRestore).run(links);
    }

    private Outcome run(LinkSweep links) {
        List<StoredNetwork> networks = networks();
        Set<String> networkIds = networks.stream().map(StoredNetwork::id).collect(Collectors.toSet());
        Map<String, KeptSandbox> kept = keptSandboxes(networkIds);
        stopContainersNotKept(kept.keySet());
        removeNamespacesNotKept(kept.keySet());
        dropSandboxesNotKept(kept.keySet());
        linksRemoved += links.sweep(networkIds, kept.values().stream().flatMap(k -> k.endpoints().stream()).collect(Collectors.toSet()),
                kept.values().stream().filter(k -> k.sandbox().sharesWith() == null && !k.sandbox().mode().equals("host"))
                        .map(k -> Ids.shortId(k.sandbox().containerId())).collect(Collectors.toSet()));
        Counts counts = new Counts(kept.size(), stopped, namespacesRemoved, processesKilled, linksRemoved, recordsDropped);
        LOG.info("reconciled the store and the kernel: {}", counts);
        return new Outcome(networks, List.copyOf(kept.values()), List.copyOf(corrections), counts);
    }

    /** Networks whose creation a crash interrupted are dropped (their bridge, if made, goes with the marked links). */
    private List<StoredNetwork> networks() {
        List<StoredNetwork> done = new ArrayList<>();
        for (StoredNetwork network : state.networks()) {
            if (network.phase() == Phase.DONE) {
                done.add(network);
            } else {
                LOG.info("network {} ({}) was being created when netwharf stopped: dropped", network.name(), network.id());
                corrections.add(new Change.DeleteNetwork(network.id()));
                recordsDropped++;
            }
        }
        return done;
    }

    /**
     * With {@code --live-restore}: the sandboxes fully made whose namespace can still be entered and whose container
     * (if the engine has one) is running with its process alive. Their endpoints still in intent are taken apart.
     */
    private Map<String, KeptSandbox> keptSandboxes(Set<String> networkIds) {
        Map<String, KeptSandbox> kept = new LinkedHashMap<>();
        if (!liveRestore) {
            return kept;
        }
        Map<String, StoredSandbox> sandboxes = new HashMap<>();
        state.sandboxes().forEach(s -> sandboxes.put(s.containerId(), s));
        for (StoredSandbox sandbox : state.sandboxes()) {
            if (sandbox.phase() != Phase.DONE || !containerAlive(sandbox.containerId())) {
                continue;
            }
            if (sandbox.sharesWith() != null || sandbox.mode().equals("host")) {
                kept.put(sandbox.containerId(), new KeptSandbox(sandbox, List.of(), Set.of()));
                continue;
            }
            Set<Integer> addresses = addressesIn(Ids.shortId(sandbox.containerId()));
            if (addresses == null) {
                continue; // the namespace is gone: the container cannot be adopted
            }
            List<StoredEndpoint> endpoints = new ArrayList<>();
            for (StoredEndpoint endpoint : endpointsByContainer.getOrDefault(sandbox.containerId(), List.of())) {
                if (endpoint.phase() == Phase.DONE && networkIds.contains(endpoint.networkId())) {
                    endpoints.add(endpoint);
                } else {
                    // A connect the crash interrupted: its link (if made) goes with the marked links' sweep.
                    corrections.add(new Change.DeleteEndpoint(endpoint.containerId(), endpoint.networkId()));
                    recordsDropped++;
                }
            }
            kept.put(sandbox.containerId(), new KeptSandbox(sandbox, endpoints, addresses));
        }
        // A container: sharer goes with its owner.
        kept.values().removeIf(k -> k.sandbox().sharesWith() != null && !kept.containsKey(k.sandbox().sharesWith()));
        return kept;
    }

    /** A sandbox's container is alive if the engine has none for it, or it is running with the process it started. */
    private boolean containerAlive(String id) {
        StoredContainer container = containers.get(id);
        return container == null || (container.status().equals("running")
                && (container.pid() == 0 || ProcessStartTime.matches(container.pid(), container.pidStartTime())));
    }

    /** The IPv4 addresses (but loopback's) in namespace {@code name}; null when it cannot be entered. */
    private Set<Integer> addressesIn(String name) {
        NetnsDirectory directory = kernel.sandboxes();
        if (!directory.exists(name)) {
            return null;
        }
        try (Netns netns = directory.open(name); NetlinkSocket socket = directory.openSocket(netns)) {
            Set<Integer> addresses = new HashSet<>();
            for (AddressMessage address : new Addresses(socket).list(AddressFamily.AF_INET)) {
                if (address.ip() instanceof Inet4Address ip && !ip.isLoopbackAddress()) {
                    addresses.add(Ipv4.fromInet(ip));
                }
            }
            return addresses;
        } catch (RuntimeException e) {
            LOG.warn("namespace {} cannot be entered, so its container cannot be adopted: {}", name, e.getMessage());
            return null;
        }
    }

    /**
     * Every container the store says is running and that is not adopted: its process, if alive, gets its stop signal
     * and SIGKILL after its stop timeout, all at once; the container is kept as exited.
     */
    private void stopContainersNotKept(Set<String> kept) {
        Map<StoredContainer, Integer> signalled = new LinkedHashMap<>();
        for (StoredContainer container : state.containers()) {
            if (!container.status().equals("running") || kept.contains(container.id())) {
                continue;
            }
            if (container.pid() > 0 && ProcessGroups.signal(container.pid(), container.pidStartTime(), container.stopSignal())) {
                signalled.put(container, container.stopSignal());
            } else {
                exited(container, UNKNOWN_EXIT, "its process ended while netwharf was down");
            }
        }
        Instant start = Instant.now();
        while (!signalled.isEmpty()) {
            Duration waited = Duration.between(start, Instant.now());
            for (var entry : List.copyOf(signalled.entrySet())) {
                StoredContainer container = entry.getKey();
                if (ProcessStartTime.exited(container.pid(), container.pidStartTime())) {
                    signalled.remove(container);
                    exited(container, 128 + entry.getValue(), "");
                } else if (entry.getValue() != SIGKILL && waited.toSeconds() >= container.stopTimeout()) {
                    ProcessGroups.signal(container.pid(), container.pidStartTime(), SIGKILL);
                    entry.setValue(SIGKILL);
                } else if (entry.getValue() == SIGKILL && waited.compareTo(Duration.ofSeconds(container.stopTimeout()).plus(KILL_GRACE)) > 0) {
                    LOG.error("container {}: process {} survives SIGKILL; recorded as exited", container.name(), container.pid());
                    signalled.remove(container);
                    exited(container, 128 + SIGKILL, "its process " + container.pid() + " did not end on SIGKILL");
                }
            }
            sleep();
        }
    }

    private void exited(StoredContainer c, int exitCode, String error) {
        stopped++;
        corrections.add(new Change.PutContainer(new StoredContainer(c.id(), c.name(), c.image(), "exited", 0, 0, exitCode, error,
                c.created(), c.startedAt(), Instant.now(), c.restartCount(), c.manuallyStopped(), c.stopSignal(), c.stopTimeout(),
                c.configJson())));
    }

    /** Namespaces under the exec root that no adopted sandbox owns: their processes are killed, then they go. */
    private void removeNamespacesNotKept(Set<String> kept) {
        Set<String> keptNames = kept.stream().map(Ids::shortId).collect(Collectors.toSet());
        NetnsDirectory directory = kernel.sandboxes();
        List<String> doomed = directory.list().stream().filter(name -> !keptNames.contains(name)).toList();
        if (doomed.isEmpty()) {
            return;
        }
        Map<Long, List<Integer>> processes = NamespaceProcesses.byNamespace();
        Map<Integer, Long> killed = new HashMap<>();
        for (String name : doomed) {
            for (int pid : processes.getOrDefault(NamespaceProcesses.inodeOf(directory.pathOf(name)), List.of())) {
                ProcessStartTime.of(pid).ifPresent(start -> {
                    if (ProcessGroups.signal(pid, start, SIGKILL)) {
                        killed.put(pid, start);
                    }
                });
            }
        }
        processesKilled = killed.size();
        Instant deadline = Instant.now().plus(KILL_GRACE);
        while (!killed.isEmpty() && Instant.now().isBefore(deadline)) {
            sleep();
            killed.entrySet().removeIf(e -> ProcessStartTime.exited(e.getKey(), e.getValue()));
        }
        if (!killed.isEmpty()) {
            LOG.error("processes {} survive SIGKILL: their namespaces stay until they end", killed.keySet());
        }
        for (String name : doomed) {
            try {
                directory.delete(name);
                namespacesRemoved++;
            } catch (RuntimeException e) {
                LOG.error("could not remove namespace {}: {}", name, e.getMessage());
            }
        }
    }

    /**
     * The store forgets the sandboxes (and their endpoints) not adopted: their namespaces are gone. The host ends of
     * their veth pairs are deleted now, by the names recorded: the kernel takes them with the namespace, but only
     * once it has finished destroying it, a moment later.
     */
    private void dropSandboxesNotKept(Set<String> kept) {
        Set<String> known = new HashSet<>();
        state.sandboxes().forEach(s -> known.add(s.containerId()));
        state.endpoints().forEach(e -> known.add(e.containerId()));
        known.stream().filter(id -> !kept.contains(id)).sorted().forEach(id -> corrections.add(new Change.DeleteSandbox(id)));
        try (NetlinkSocket socket = kernel.openHostSocket()) {
            Links links = new Links(socket);
            for (StoredEndpoint endpoint : state.endpoints()) {
                if (!kept.contains(endpoint.containerId()) && endpoint.hostInterface() != null && links.find(endpoint.hostInterface()).isPresent()) {
                    links.deleteIfPresent(endpoint.hostInterface());
                    linksRemoved++;
                }
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for processes to end", e);
        }
    }
}
