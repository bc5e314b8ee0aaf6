package io.netwharf.store;

/** One change to the store; a {@link Store#apply} commits a list of them in one transaction. */
public sealed interface Change {
    /** Inserts or replaces the network with this id. */
    record PutNetwork(StoredNetwork network) implements Change {}

    /** Deletes the network (its endpoints must be gone). */
    record DeleteNetwork(String id) implements Change {}

    /** Inserts or replaces the sandbox of this container id. */
    record PutSandbox(StoredSandbox sandbox) implements Change {}

    /** Deletes the sandbox and every endpoint of that container. */
    record DeleteSandbox(String containerId) implements Change {}

    /** Inserts or replaces the endpoint of (container, network). */
    record PutEndpoint(StoredEndpoint endpoint) implements Change {}

    record DeleteEndpoint(String containerId, String networkId) implements Change {}

    /** Inserts or replaces the container with this id. */
    record PutContainer(StoredContainer container) implements Change {}

    /** Deletes the container (its sandbox and endpoints are the runtime's and are deleted by their own changes). */
    record DeleteContainer(String id) implements Change {}

    /** Inserts or replaces the image with this id. */
    record PutImage(StoredImage image) implements Change {}

    /** Deletes the image (a name only: containers made from it keep their image name). */
    record DeleteImage(String id) implements Change {}

    /** Sets (or with a null value, deletes) a setting. */
    record PutSetting(String key, String value) implements Change {}
}
