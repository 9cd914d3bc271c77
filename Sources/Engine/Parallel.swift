import Dispatch

/// Fork-join over a few threads, for data-parallel training shards and posterior samples.
public enum Parallel {
    /// Calls `body(i)` for every i in 0..<count, on up to `count` threads at once, and returns when all
    /// calls have returned. `count == 1` runs on the calling thread. Calls must touch disjoint state.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 { if count == 1 { body(0) }; return }
        withoutActuallyEscaping(body) { work in
            let task = UncheckedTask(work)
            DispatchQueue.concurrentPerform(iterations: count) { task.work($0) }
        }
    }

    /// Carries the caller's closure into Dispatch's worker threads. Unchecked because the closure is
    /// not `@Sendable`: `forEach` documents that the calls touch disjoint state, and it joins them all
    /// before the closure's lifetime ends.
    private struct UncheckedTask: @unchecked Sendable {
        let work: (Int) -> Void
        init(_ work: @escaping (Int) -> Void) { self.work = work }
    }

    /// Splits 0..<count into `parts` contiguous ranges, in order, whose sizes differ by at most one, the
    /// larger first (so only trailing ranges are empty when count < parts).
    public static func chunks(_ count: Int, parts: Int) -> [Range<Int>] {
        let base = count / parts, extra = count % parts
        return (0..<parts).map { k in
            let start = k * base + min(k, extra)
            return start..<(start + base + (k < extra ? 1 : 0))
        }
    }
}
