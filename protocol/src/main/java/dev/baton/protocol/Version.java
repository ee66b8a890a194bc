package dev.baton.protocol;

/** The version line batond and batonctl print for --version: the same build, the same line. */
public final class Version {
    private Version() {}

    /** {@code batond 0.1.0}, or {@code batond (development build)} outside a versioned jar. */
    public static String line() {
        return "batond " + number();
    }

    /**
     * The jar's Implementation-Version, or {@code (development build)}; the system property
     * {@value #OVERRIDE} replaces it (a test tells two images of one jar apart with it).
     */
    public static String number() {
        String override = System.getProperty(OVERRIDE);
        if (override != null && !override.isBlank()) {
            return override;
        }
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "(development build)";
    }

    public static final String OVERRIDE = "batond.version";
}
