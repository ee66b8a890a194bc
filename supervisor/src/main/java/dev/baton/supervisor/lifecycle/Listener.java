package dev.baton.supervisor.lifecycle;

import java.net.InetSocketAddress;

/** A listening socket batond bound (or adopted) at start and holds until it exits. */
public record Listener(String name, InetSocketAddress address, int fd) {}
