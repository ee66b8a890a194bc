package dev.baton.protocol;

/** The version line batond and batonctl print for --version: the same build, the same line. */
public final class Version {
    private Version() {}

    /** {@code batond 0.1.0}, or {@code batond (development build)} outside a versioned jar. */
    public static String line() {
        String v = Version.class.getPackage().getImplementationVersion();
        return "batond " + (v != null ? v : "(development build)");
    }
}
