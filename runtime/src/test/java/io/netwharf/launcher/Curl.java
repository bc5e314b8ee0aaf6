package io.netwharf.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One HTTP request over a Unix socket with curl, as a separate client would send it. */
final class Curl {
    /** curl's exit code (0: a complete HTTP answer; 52: empty reply, 56: connection reset), the status and body. */
    record Answer(int exit, int status, String body, String error) {}

    private Curl() {
    }

    static Answer request(Path socket, String method, String path, String json) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "--unix-socket", socket.toString(),
                "-X", method, "-o", "-", "-w", "\n%{http_code}"));
        if (json != null) {
            command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", json));
        }
        command.add("http://localhost" + path);
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl " + method + " " + path + " did not finish");
        }
        int cut = out.lastIndexOf('\n');
        return new Answer(p.exitValue(), Integer.parseInt(out.substring(cut + 1).strip()), out.substring(0, Math.max(cut, 0)), err);
    }
}
