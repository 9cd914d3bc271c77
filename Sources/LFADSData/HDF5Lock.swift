import Foundation
import CHDF5

/// Serial HDF5 is not thread safe: every call into the library goes through this one lock.
/// It is recursive so that wrapper methods may call each other.
enum HDF5Library {
    private static let lock = NSRecursiveLock()
    private static let initialised: Bool = {
        _ = chdf5_init()
        _ = chdf5_silence_errors()   // HDF5 errors become HDF5Error values, never stderr noise.
        return true
    }()

    static func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        _ = initialised
        _ = chdf5_silence_errors()   // the automatic printer is per thread: silence it here too
        return try body()
    }
}
