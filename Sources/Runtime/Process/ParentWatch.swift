import Foundation

/// Notices that the process that started this one has exited (it was killed, or it crashed): the
/// orphan is re-parented, so `getppid()` changes. Polled on a thread; `action` runs once.
public enum ParentWatch {
    public static func onExit(checkEvery seconds: Double = 0.5, _ action: @escaping @Sendable () -> Void) {
        let parent = getppid()
        let t = Thread {
            while getppid() == parent { Thread.sleep(forTimeInterval: seconds) }
            action()
        }
        t.start()
    }
}
