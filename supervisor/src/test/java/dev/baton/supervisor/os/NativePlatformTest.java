package dev.baton.supervisor.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** batond runs only where it knows the struct layouts it writes by hand. */
class NativePlatformTest {
    @Test
    void linuxOn64BitX86AndArmIsKnown() {
        assertEquals(Optional.empty(), NativePlatform.refusal("Linux", "amd64", 8));
        assertEquals(Optional.empty(), NativePlatform.refusal("Linux", "x86_64", 8));
        assertEquals(Optional.empty(), NativePlatform.refusal("Linux", "aarch64", 8));
        assertEquals(Optional.empty(), NativePlatform.refusal(), "this machine");
    }

    @Test
    void anythingElseIsRefusedInOneLine() {
        assertEquals(Optional.of("this build knows the struct layouts of Linux on x86_64 and aarch64 only, not Mac OS X on aarch64"),
                NativePlatform.refusal("Mac OS X", "aarch64", 8));
        assertEquals(Optional.of("this build knows the struct layouts of Linux on x86_64 and aarch64 only, not Linux on riscv64"),
                NativePlatform.refusal("Linux", "riscv64", 8));
        assertEquals(Optional.of("this build knows the struct layouts of Linux on x86_64 and aarch64 only, not Linux on x86"),
                NativePlatform.refusal("Linux", "x86", 4));
        assertEquals(Optional.of("this build knows the struct layouts of Linux on x86_64 and aarch64 only, not FreeBSD on amd64"),
                NativePlatform.refusal("FreeBSD", "amd64", 8));
        assertEquals(Optional.of("this build knows the struct layouts of 64-bit Linux only, not 32-bit pointers on Linux on amd64"),
                NativePlatform.refusal("Linux", "amd64", 4), "an x32 JVM");
        assertEquals(Optional.of("this build knows the struct layouts of Linux on x86_64 and aarch64 only, not null on null"),
                NativePlatform.refusal(null, null, 8));
    }
}
