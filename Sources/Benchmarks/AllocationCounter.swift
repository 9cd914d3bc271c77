import CAllocCounter

/// Counts heap allocations (malloc family) made by the CURRENT thread while a closure runs.
/// Works because the CAllocCounter target replaces malloc with a counting forwarder to glibc.
public enum AllocationCounter {
    /// True when the counting malloc is really in use in this process.
    public static var isActive: Bool {
        let p = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)   // ensures one malloc happened
        p.deallocate()
        return alloc_counter_active() != 0
    }

    /// The number of allocations performed on this thread by `body`.
    public static func count(_ body: () throws -> Void) rethrows -> Int {
        alloc_counter_start()
        defer { _ = alloc_counter_stop() }
        try body()
        return Int(alloc_counter_stop())
    }
}
