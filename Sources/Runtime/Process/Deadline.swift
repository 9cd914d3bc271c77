import Foundation

/// Runs `body` but stops waiting after `seconds`: the caller gets a `RuntimeError` and the body is
/// cancelled and abandoned (a database call stuck on a dead connection must not freeze a slot).
public func withDeadline<T: Sendable>(_ seconds: Double, _ what: String,
                                      _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let once = ResumeOnce()
    return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
        let work = Task {
            do { let v = try await body(); if once.claim() { c.resume(returning: v) } }
            catch { if once.claim() { c.resume(throwing: error) } }
        }
        Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            if once.claim() {
                work.cancel()
                c.resume(throwing: RuntimeError("\(what): no answer within \(Int(seconds)) s"))
            }
        }
    }
}

/// A flag that lets exactly one caller through.
// @unchecked: every `var` below is read and written only while holding `lock` (NSLock; macOS 13 has no `Mutex`).
final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool { lock.lock(); defer { lock.unlock() }; if done { return false }; done = true; return true }
}
