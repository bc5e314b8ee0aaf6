package io.netwharf.kernel;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.types.u_int32_t;

/**
 * The libnftables functions netwharf calls (nftables/libnftables.h), bound through jnr-ffi; only {@link Nftables}
 * uses them. Output and errors are buffered in the context and read back as strings, which stay valid until the
 * next command or until the context is freed.
 */
public interface LibNftables {
    int NFT_CTX_DEFAULT = 0;
    /** enum nft_output_flags: print JSON instead of nft's own syntax. */
    int NFT_CTX_OUTPUT_JSON = 1 << 4;

    Pointer nft_ctx_new(@u_int32_t int flags);

    void nft_ctx_free(Pointer ctx);

    int nft_ctx_buffer_output(Pointer ctx);

    int nft_ctx_buffer_error(Pointer ctx);

    String nft_ctx_get_output_buffer(Pointer ctx);

    String nft_ctx_get_error_buffer(Pointer ctx);

    @u_int32_t int nft_ctx_output_get_flags(Pointer ctx);

    void nft_ctx_output_set_flags(Pointer ctx, @u_int32_t int flags);

    /** 0 when the whole buffer was applied; otherwise nothing was, and the error buffer says why. */
    int nft_run_cmd_from_buffer(Pointer ctx, @In String buffer);
}
