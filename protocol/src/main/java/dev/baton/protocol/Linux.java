package dev.baton.protocol;

/**
 * Linux constants both sides' native code needs to pass descriptors (batond's LibcNative sends
 * them, child-api's ChildNative receives them). Values from the kernel's uapi headers, the same on
 * x86_64 and aarch64; jnr-constants lacks some of them.
 */
public final class Linux {
    private Linux() {}

    /** cmsg_type of a control message carrying descriptors (SOL_SOCKET level). */
    public static final int SCM_RIGHTS = 1;
    /** fcntl(F_SETFD) flag: close the descriptor on exec. */
    public static final int FD_CLOEXEC = 1;
    /** recvmsg flag: mark received descriptors close-on-exec atomically. */
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    /** recvmsg's msg_flags bit: the control buffer was too small, descriptors were dropped. */
    public static final int MSG_CTRUNC = 0x8;
}
