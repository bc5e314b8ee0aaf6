package io.netwharf.store;

/**
 * Where a kernel change stands: {@link #INTENT} is written before the change is made, {@link #DONE} once it is. A
 * record still in intent after a crash says what may exist, half made, in the kernel.
 */
public enum Phase { INTENT, DONE }
