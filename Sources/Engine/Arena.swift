#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Growable Float storage that is rewound (not freed) between steps. Allocations are 64-byte aligned
/// and stable until `rewind()`. When a step needs more than the current chunk, extra chunks are
/// added; the next `rewind()` merges them into one chunk of the peak size, so from the second step
/// on no allocation happens.
///
/// Chunks are mapped from the kernel (anonymous `mmap`), not taken from malloc: the first step's chunks,
/// freed when they are merged, then go back to the system at once. From malloc they stayed in its heap
/// (glibc raises its mmap threshold to the size of a freed mapping, so later 1 MiB chunks come from the
/// heap) and counted in the worker's resident memory for the rest of the run, about one tape's size again.
final class FloatArena {
    private var chunks: [UnsafeMutablePointer<Float>] = []
    private var capacities: [Int] = []
    private var current = 0          // index of the chunk being filled
    private var used = 0             // floats used in the current chunk
    private var usedBefore = 0       // floats used in earlier chunks this round
    /// Largest total use seen in one round.
    private(set) var peak = 0

    init(initialCapacity: Int = 1 << 16) {
        chunks.reserveCapacity(16); capacities.reserveCapacity(16)
        addChunk(max(initialCapacity, 1024))
    }

    deinit { for i in 0..<chunks.count { Self.unmap(chunks[i], capacities[i]) } }

    private func addChunk(_ n: Int) {
        let raw = mmap(nil, n * 4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let raw, raw != UnsafeMutableRawPointer(bitPattern: -1) else {
            fatalError("out of memory: could not map \(n * 4) bytes for the tape (errno \(errno))")
        }
        chunks.append(raw.bindMemory(to: Float.self, capacity: n))   // page-aligned, so 64-byte aligned
        capacities.append(n)
    }

    private static func unmap(_ chunk: UnsafeMutablePointer<Float>, _ n: Int) { munmap(chunk, n * 4) }

    /// `n` uninitialised floats.
    @inline(__always) func alloc(_ n: Int) -> UnsafeMutablePointer<Float> {
        let padded = (n + 15) & ~15
        if used + padded > capacities[current] { grow(padded) }
        let p = chunks[current] + used
        used += padded
        return p
    }

    private func grow(_ padded: Int) {
        usedBefore += used
        current += 1
        used = 0
        if current == chunks.count || capacities[current] < padded {
            if current < chunks.count {
                // A later chunk too small for this request: drop it and the rest.
                for i in current..<chunks.count { Self.unmap(chunks[i], capacities[i]) }
                chunks.removeSubrange(current...); capacities.removeSubrange(current...)
            }
            addChunk(max(padded, capacities[current - 1]))
        }
    }

    /// A position in the arena (see `rewind(to:)`).
    struct Mark { fileprivate let current, used, usedBefore: Int }

    /// The current position: what is allocated before it stays valid across `rewind(to:)`.
    func mark() -> Mark { Mark(current: current, used: used, usedBefore: usedBefore) }

    /// Frees what was allocated since `mark` (taken since the last full `rewind()`); earlier
    /// allocations stay valid, and chunks added after the mark are kept for reuse.
    func rewind(to mark: Mark) {
        peak = max(peak, usedBefore + used)
        current = mark.current; used = mark.used; usedBefore = mark.usedBefore
    }

    /// Frees everything allocated since the last rewind (memory is kept for reuse).
    func rewind() {
        peak = max(peak, usedBefore + used)
        if chunks.count > 1 {
            for i in 0..<chunks.count { Self.unmap(chunks[i], capacities[i]) }   // index loop: no iterator allocation in debug builds
            chunks.removeAll(keepingCapacity: true); capacities.removeAll(keepingCapacity: true)
            addChunk(peak + peak / 8 + 1024)
        }
        current = 0; used = 0; usedBefore = 0
    }

    /// Floats currently reserved across all chunks.
    var reserved: Int { capacities.reduce(0, +) }
}
