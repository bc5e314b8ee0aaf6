package io.netwharf.protocol.model;

/**
 * A command the runtime refused or could not carry out. The kind says whose fault it is, so the HTTP gateway can
 * answer with the status Docker uses; the message names what was wrong.
 */
public final class NetwharfException extends RuntimeException {
    public enum Kind {
        /** The request itself is malformed or asks for something impossible (Docker: 400). */
        BAD_PARAMETER,
        /** Allowed in form, refused in the current state: an overlapping subnet, an address in use (403). */
        FORBIDDEN,
        /** No such network or container (404). */
        NOT_FOUND,
        /** A name in use, or a container others depend on (409). */
        CONFLICT,
        /** The kernel or the runtime failed (500). */
        INTERNAL
    }

    private final Kind kind;

    public NetwharfException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public NetwharfException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static NetwharfException badParameter(String message) {
        return new NetwharfException(Kind.BAD_PARAMETER, message);
    }

    public static NetwharfException forbidden(String message) {
        return new NetwharfException(Kind.FORBIDDEN, message);
    }

    public static NetwharfException notFound(String message) {
        return new NetwharfException(Kind.NOT_FOUND, message);
    }

    public static NetwharfException conflict(String message) {
        return new NetwharfException(Kind.CONFLICT, message);
    }

    public static NetwharfException internal(String message, Throwable cause) {
        return new NetwharfException(Kind.INTERNAL, message, cause);
    }
}
