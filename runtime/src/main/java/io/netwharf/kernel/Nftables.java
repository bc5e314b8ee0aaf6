package io.netwharf.kernel;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * nftables through libnftables, the library behind the {@code nft} command (no command is run). One call hands
 * libnftables one buffer of commands in nft's own syntax, which it sends to the kernel as one netlink batch: the
 * whole buffer applies, or none of it does.
 *
 * <p>Each call runs on one of {@link NamespaceThreads}' workers inside the target namespace. A context opens its
 * netlink socket when it is created, and that socket stays in the namespace it was opened in, so each namespace has
 * a context of its own, made at its first call and kept until {@link #close}; calls are one at a time. Kept, not
 * made anew per call: libnftables waits on its socket with {@code select()}, which aborts the process (glibc's
 * "bit out of range 0 - FD_SETSIZE") once the socket's descriptor is 1024 or more, as a new one is in a daemon
 * holding a namespace and DNS sockets per container. The first call comes at start, while descriptors are few.
 */
public final class Nftables implements AutoCloseable {
    static final String LIBRARY = "libnftables.so.1";

    private static LibNftables loaded;

    private final NamespaceThreads threads;
    private final LibNftables lib;
    /** The kept contexts, by the path of their namespace (null: the threads' home namespace). */
    private final Map<Path, Pointer> contexts = new HashMap<>();

    /** Loads libnftables (once per process); refuses, naming the package to install, when it is missing. */
    public Nftables(NamespaceThreads threads) {
        this.threads = threads;
        this.lib = library();
    }

    private static synchronized LibNftables library() {
        if (loaded == null) {
            try {
                loaded = LibraryLoader.create(LibNftables.class).failImmediately().load(LIBRARY);
            } catch (LinkageError | RuntimeException e) {
                throw new NftablesException("load " + LIBRARY,
                        "cannot load libnftables (" + e.getMessage() + "); install it: apt-get install libnftables1", null);
            }
        }
        return loaded;
    }

    /** Runs {@code commands} as one batch inside {@code netns} and returns what they print (usually nothing). */
    public String run(Netns netns, String operation, String commands) {
        return execute(netns, operation, commands, 0);
    }

    /** {@link #run(Netns, String, String)} named simply "nft batch". */
    public String run(Netns netns, String commands) {
        return run(netns, "nft batch", commands);
    }

    /** Runs {@code commands} (a {@code list ...} command, typically) inside {@code netns} and returns nft's JSON output. */
    public String json(Netns netns, String commands) {
        return execute(netns, "nft " + commands.strip(), commands, LibNftables.NFT_CTX_OUTPUT_JSON);
    }

    private synchronized String execute(Netns netns, String operation, String commands, int outputFlags) {
        String where = operation + (netns == null ? "" : " in " + netns);
        return threads.call(netns, () -> {
            Pointer ctx = context(netns, where, commands);
            int flags = lib.nft_ctx_output_get_flags(ctx);
            lib.nft_ctx_output_set_flags(ctx, flags | outputFlags);
            try {
                int failed = lib.nft_run_cmd_from_buffer(ctx, commands);
                // Read both buffers every time: reading one empties it for the next call.
                String error = lib.nft_ctx_get_error_buffer(ctx);
                String output = lib.nft_ctx_get_output_buffer(ctx);
                if (failed != 0) {
                    throw new NftablesException(where, error == null || error.isBlank() ? "libnftables failed without a message" : error,
                            commands);
                }
                return output == null ? "" : output;
            } finally {
                lib.nft_ctx_output_set_flags(ctx, flags);
            }
        });
    }

    /** The namespace's context, made (on this thread, inside it) at its first call. */
    private Pointer context(Netns netns, String where, String commands) {
        Path key = netns == null ? null : netns.path();
        Pointer ctx = contexts.get(key);
        if (ctx != null) {
            return ctx;
        }
        ctx = lib.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
        if (ctx == null) {
            throw new NftablesException(where, "libnftables could not create a context (out of memory?)", commands);
        }
        // Buffered, so output and errors come back here instead of going to the process's stdout and stderr.
        if (lib.nft_ctx_buffer_output(ctx) != 0 || lib.nft_ctx_buffer_error(ctx) != 0) {
            lib.nft_ctx_free(ctx);
            throw new NftablesException(where, "libnftables could not buffer its output", commands);
        }
        contexts.put(key, ctx);
        return ctx;
    }

    /** Frees the kept contexts (and closes their sockets). */
    @Override
    public synchronized void close() {
        contexts.values().forEach(lib::nft_ctx_free);
        contexts.clear();
    }
}
