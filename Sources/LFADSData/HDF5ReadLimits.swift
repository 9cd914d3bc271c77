import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one HDF5 read may allocate, decided from the dataset's declared shape before anything is
/// allocated. A crafted file can declare a 1e5 × 1e5 × 100 dataset in 4 KB (HDF5 returns fill values
/// for data that was never written); reading it must be an error, not an out-of-memory abort.
public enum HDF5ReadLimits {
    /// Uncompressed contiguous data must be in the file: its declared bytes may exceed the file size
    /// by at most this much (small unwritten datasets read as their fill value).
    public static let contiguousSlackBytes = 1 << 20
    /// Chunked (possibly compressed) data may declare at most this multiple of the file size
    /// (deflate compresses at most about 1000:1)…
    public static let chunkedRatio = 2048
    /// …or this many bytes, whichever is larger.
    public static let chunkedFloorBytes = 256 << 20
    /// One array may take at most this fraction of the memory available to the process.
    public static let memoryFraction = 0.5

    /// The number of elements of `shape`, or nil when it cannot be counted in an `Int`: a negative
    /// dimension, or a product (of the non-zero dimensions) that overflows, so that code multiplying
    /// any of the dimensions later cannot overflow either.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var product = 1
        var hasZero = false
        for d in shape {
            guard d >= 0 else { return nil }
            if d == 0 { hasZero = true; continue }
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            product = p
        }
        return hasZero ? 0 : product
    }

    /// Bytes this process can still allocate: the smaller of the memory the system has available
    /// and what the address-space limit (`ulimit -v`) leaves.
    public static func availableMemoryBytes() -> Int {
        var best = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        #if os(Linux)
        if let kb = procField("/proc/meminfo", "MemAvailable:") { best = min(best, kb.multipliedReportingOverflow(by: 1024).partialValue) }
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
            let used = (procField("/proc/self/status", "VmSize:") ?? 0) * 1024
            best = min(best, max(0, Int(clamping: limit.rlim_cur) - used))
        }
        #endif
        return max(best, 0)
    }

    /// A size in bytes for error lines (e.g. "3.7 GiB").
    public static func describe(bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = Double(bytes), u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(bytes) bytes" : String(format: "%.1f", v) + " " + units[u]
    }

    #if os(Linux)
    /// The number after `name` in a /proc file of `name value kB` lines.
    static func procField(_ file: String, _ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            return line.dropFirst(name.count).split(separator: " ").first.flatMap { Int($0) }
        }
        return nil
    }
    #endif
}
