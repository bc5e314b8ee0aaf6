package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Kernel parameters read and written as files under /proc/sys. The files under /proc/sys/net belong to the
 * network namespace of the thread that opens them, so a namespace's values are read and written on one of
 * {@link NamespaceThreads}' threads inside it. No sysctl command is run.
 */
public final class Sysctl {
    private static final Path ROOT = Path.of("/proc/sys");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.@:+-]*(/[A-Za-z0-9_][A-Za-z0-9_.@:+-]*)*");

    private final NamespaceThreads threads;

    public Sysctl(NamespaceThreads threads) {
        this.threads = threads;
    }

    /** Writes {@code value} to {@code key} ("net/ipv4/ip_forward", slashes between the parts) inside {@code netns}. */
    public void write(Netns netns, String key, String value) {
        Path file = fileOf(key);
        String operation = "set sysctl " + key + "=" + value + (netns == null ? "" : " in " + netns);
        threads.call(netns, () -> {
            try {
                Files.writeString(file, value, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException e) {
                throw new KernelException(operation, Errno.ENOENT.number, "no such kernel parameter");
            } catch (IOException e) {
                throw new KernelException(operation, Errno.EIO.number, e.getMessage());
            }
            return null;
        });
    }

    public String read(Netns netns, String key) {
        Path file = fileOf(key);
        String operation = "read sysctl " + key + (netns == null ? "" : " in " + netns);
        return threads.call(netns, () -> {
            try {
                // Not Files.readString: it sizes its read by the file's size, which /proc gives as 0, and returns the first byte.
                try (InputStream in = Files.newInputStream(file)) {
                    return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
                }
            } catch (NoSuchFileException e) {
                throw new KernelException(operation, Errno.ENOENT.number, "no such kernel parameter");
            } catch (IOException e) {
                throw new KernelException(operation, Errno.EIO.number, e.getMessage());
            }
        });
    }

    private static Path fileOf(String key) {
        // Dots are legal in interface names (eth0.100), so the key uses slashes, as the files do.
        if (key == null || !KEY.matcher(key).matches() || key.contains("..")) {
            throw new KernelException("sysctl key '" + key + "'", Errno.EINVAL.number, "expected a path under /proc/sys such as net/ipv4/ip_forward");
        }
        return ROOT.resolve(key);
    }
}
