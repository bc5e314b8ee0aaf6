package io.netwharf.gateway;

/**
 * A refusal of the HTTP layer itself, with the status Docker answers it with (a body too large, malformed JSON, an
 * unknown filter). Refusals of the runtime are {@link io.netwharf.protocol.model.NetwharfException}s instead.
 */
public final class DockerApiException extends RuntimeException {
    private final int status;

    public DockerApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static DockerApiException badRequest(String message) {
        return new DockerApiException(400, message);
    }

    public static DockerApiException notFound(String message) {
        return new DockerApiException(404, message);
    }
}
