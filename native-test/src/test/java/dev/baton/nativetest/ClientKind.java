package dev.baton.nativetest;

/** How a load client uses connections. */
enum ClientKind {
    /** One request per connection, {@code Connection: close}: sees refused or reset connects. */
    NEW_CONNECTION,
    /** One connection reused for request after request: sees idle connections closed by a draining server. */
    KEEP_ALIVE
}
