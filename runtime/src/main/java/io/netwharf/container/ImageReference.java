package io.netwharf.container;

import io.netwharf.protocol.model.NetwharfException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image name as Docker reads one (the distribution project's {@code reference.ParseNormalizedNamed}):
 * {@code debian} is {@code docker.io/library/debian:latest}; {@code localhost:5000/app:v1} keeps its registry. A
 * netwharf image is only a name for the host's root filesystem, so its id is derived from the normalised name alone:
 * the same name always has the same id, on every host and across restarts.
 *
 * @param domain     the registry: {@code docker.io} unless the name starts with one
 * @param path       the repository path in that registry: {@code library/debian}
 * @param tag        {@code latest} unless given
 */
public record ImageReference(String domain, String path, String tag) {
    private static final String DOCKER_HUB = "docker.io";
    private static final String ALNUM = "[a-z0-9]+";
    private static final String COMPONENT = ALNUM + "(?:(?:[._]|__|-+)" + ALNUM + ")*";
    private static final String DOMAIN_PART = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final Pattern DOMAIN = Pattern.compile(DOMAIN_PART + "(?:\\." + DOMAIN_PART + ")*(?::[0-9]+)?");
    private static final Pattern PATH = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern FULL_ID = Pattern.compile("[a-f0-9]{64}");
    /** Docker's limit on a repository name, its registry included. */
    private static final int NAME_MAX = 255;
    /** Longer than any valid reference: refused before any pattern looks at it. */
    private static final int TEXT_MAX = NAME_MAX + 1 + 128;

    /**
     * Reads {@code text} as Docker does, with Docker's messages: {@code invalid reference format}, and the
     * lowercase and 64-hex-digit refusals. A digest ({@code name@sha256:...}) is refused: netwharf has no image
     * content a digest could name.
     */
    public static ImageReference parse(String text) {
        if (text == null || text.isEmpty() || text.length() > TEXT_MAX) {
            throw invalid();
        }
        if (FULL_ID.matcher(text).matches()) {
            throw NetwharfException.badParameter("invalid repository name (" + text + "), cannot specify 64-byte hexadecimal strings");
        }
        if (text.contains("@")) {
            throw NetwharfException.badParameter("invalid reference " + text + ": netwharf does not know images by digest"
                    + " (an image is a name for the host's filesystem, it has no content to digest): give a name and a tag");
        }
        String name = text;
        String tag = "latest";
        int colon = text.lastIndexOf(':');
        if (colon > text.lastIndexOf('/')) {
            name = text.substring(0, colon);
            tag = text.substring(colon + 1);
            if (!TAG.matcher(tag).matches()) {
                throw invalid();
            }
        }
        String domain = DOCKER_HUB;
        String path = name;
        int slash = name.indexOf('/');
        if (slash >= 0) {
            String first = name.substring(0, slash);
            boolean isDomain = first.contains(".") || first.contains(":") || first.equals("localhost") || !first.equals(first.toLowerCase());
            if (isDomain) {
                domain = first.equals("index.docker.io") ? DOCKER_HUB : first;
                path = name.substring(slash + 1);
                if (!DOMAIN.matcher(domain).matches()) {
                    throw invalid();
                }
            }
        }
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (!path.equals(path.toLowerCase())) {
            throw NetwharfException.badParameter("invalid reference format: repository name (" + path + ") must be lowercase");
        }
        if (!PATH.matcher(path).matches()) {
            throw invalid();
        }
        if (domain.length() + 1 + path.length() > NAME_MAX) {
            throw NetwharfException.badParameter("invalid reference format: repository name must not be more than " + NAME_MAX + " characters");
        }
        return new ImageReference(domain, path, tag);
    }

    /** This name with {@code tag} instead of its own (a pull's {@code tag} parameter); a digest is refused as in {@link #parse}. */
    public ImageReference withTag(String tag) {
        return parse(domain + "/" + path + (tag.contains(":") ? "@" : ":") + tag);
    }

    /** {@link #parse} for a label the embedded API took as it was: empty when it is not an image name. */
    public static Optional<ImageReference> of(String label) {
        try {
            return Optional.of(parse(label));
        } catch (NetwharfException e) {
            return Optional.empty();
        }
    }

    /** {@code docker.io/library/debian:latest}: what the id is derived from. */
    public String normalized() {
        return domain + "/" + path + ":" + tag;
    }

    /** The repository as users write it: {@code debian}, {@code someone/app}, {@code localhost:5000/app}. */
    public String repository() {
        if (!domain.equals(DOCKER_HUB)) {
            return domain + "/" + path;
        }
        return path.startsWith("library/") ? path.substring("library/".length()) : path;
    }

    /** {@code debian:latest}: Docker's {@code RepoTags} entry and the name in its messages. */
    public String familiar() {
        return repository() + ":" + tag;
    }

    /** {@code sha256:} and the SHA-256 of {@link #normalized()}: stable, and distinct for distinct names. */
    public String id() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(normalized().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static NetwharfException invalid() {
        return NetwharfException.badParameter("invalid reference format");
    }
}
