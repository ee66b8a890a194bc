package dev.baton.supervisor.os;

import java.util.Optional;

/**
 * Whether batond knows this platform's struct layouts. {@link LibcNative} and {@link LibcSockets}
 * lay out msghdr, cmsghdr, ucred, tcp_info, sockaddr_in/in6/un and pollfd by hand, for Linux on
 * 64-bit x86 and ARM (LP64, the generic socket and fcntl flag values); anywhere else those
 * offsets would be wrong in silence, so batond refuses to start instead, with one line.
 */
public final class NativePlatform {
    private NativePlatform() {}

    /**
     * Why batond cannot run on this platform, or empty when it can. A pure function:
     * {@code os} and {@code arch} as the JVM's {@code os.name} and {@code os.arch} name them,
     * {@code addressSize} the size of a native pointer in bytes (consulted only for a known
     * operating system and architecture).
     */
    public static Optional<String> refusal(String os, String arch, int addressSize) {
        boolean linux = "Linux".equals(os);
        String cpu = switch (String.valueOf(arch)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (!linux || cpu == null) {
            return Optional.of("this build knows the struct layouts of Linux on x86_64 and aarch64 only, not "
                    + os + " on " + arch);
        }
        if (addressSize != 8) {
            return Optional.of("this build knows the struct layouts of 64-bit Linux only, not " + addressSize * 8
                    + "-bit pointers on " + os + " on " + arch);
        }
        return Optional.empty();
    }

    /** {@link #refusal(String, String, int)} for the running JVM. */
    public static Optional<String> refusal() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        Optional<String> unknown = refusal(os, arch, 8);
        if (unknown.isPresent()) {
            return unknown; // jffi is not even loaded where its stub may be missing
        }
        int addressSize;
        try {
            addressSize = com.kenai.jffi.Type.POINTER.size();
        } catch (LinkageError e) {
            return Optional.of("jffi cannot load its native stub on " + os + " on " + arch + ": " + e.getMessage());
        }
        return refusal(os, arch, addressSize);
    }

    /** Throws, naming the reason, when batond does not know this platform's struct layouts. */
    static void require() {
        refusal().ifPresent(reason -> {
            throw new UnsupportedOperationException(reason);
        });
    }
}
