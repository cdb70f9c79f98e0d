#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The calling thread, for the poll threads that name themselves.
enum CurrentThread {
    /// Names the calling thread (what `Thread.current.name`, `top -H` and debuggers show; Linux keeps 15 bytes).
    ///
    /// Not `Thread.current.name = name`: corelibs Foundation stores a new thread's pthread only after `pthread_create`
    /// returns in the thread that started it, and its name setter does nothing until then. A thread whose block runs
    /// first (likely on a busy machine) silently keeps the name it inherited from its creator, such as a Swift
    /// concurrency thread's `…oot.default-qos`. On Linux the name is written to `/proc/thread-self/comm`, which is
    /// what `pthread_setname_np` does (Glibc's Swift module does not export that GNU function).
    static func setName(_ name: String) {
        #if canImport(Darwin)
            _ = pthread_setname_np(name)
        #else
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            guard fd >= 0 else { return }
            defer { close(fd) }
            let bytes = Array(name.utf8.prefix(15))
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        #endif
    }
}
