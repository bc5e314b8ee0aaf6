package io.netwharf.cluster;

/**
 * What crosses from one node to another (messages, and values in distributed data): serialized as JSON by Pekko's
 * Jackson serializer, bound to this interface in reference.conf. Java serialization stays off.
 */
public interface ClusterMessage {}
