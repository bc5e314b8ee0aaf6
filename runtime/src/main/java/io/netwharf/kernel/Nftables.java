package io.netwharf.kernel;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

/**
 * nftables through libnftables, the library behind the {@code nft} command (no command is run). One call hands
 * libnftables one buffer of commands in nft's own syntax, which it sends to the kernel as one netlink batch: the
 * whole buffer applies, or none of it does.
 *
 * <p>Each call runs on one of {@link NamespaceThreads}' workers inside the target namespace, and creates and frees
 * its libnftables context within that visit: a context may open its netlink socket when it is created, and that
 * socket would stay in the namespace it was opened in. A context is never shared between calls or threads.
 */
public final class Nftables {
    static final String LIBRARY = "libnftables.so.1";

    private static LibNftables loaded;

    private final NamespaceThreads threads;
    private final LibNftables lib;

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

    private String execute(Netns netns, String operation, String commands, int outputFlags) {
        String where = operation + (netns == null ? "" : " in " + netns);
        return threads.call(netns, () -> {
            Pointer ctx = lib.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
            if (ctx == null) {
                throw new NftablesException(where, "libnftables could not create a context (out of memory?)", commands);
            }
            try {
                // Buffered, so output and errors come back here instead of going to the process's stdout and stderr.
                if (lib.nft_ctx_buffer_output(ctx) != 0 || lib.nft_ctx_buffer_error(ctx) != 0) {
                    throw new NftablesException(where, "libnftables could not buffer its output", commands);
                }
                if (outputFlags != 0) {
                    lib.nft_ctx_output_set_flags(ctx, lib.nft_ctx_output_get_flags(ctx) | outputFlags);
                }
                if (lib.nft_run_cmd_from_buffer(ctx, commands) != 0) {
                    String error = lib.nft_ctx_get_error_buffer(ctx);
                    throw new NftablesException(where, error == null || error.isBlank() ? "libnftables failed without a message" : error,
                            commands);
                }
                String output = lib.nft_ctx_get_output_buffer(ctx);
                return output == null ? "" : output;
            } finally {
                lib.nft_ctx_free(ctx);
            }
        });
    }
}
