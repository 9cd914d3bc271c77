import Foundation

/// Notices that the process that started this one has exited (it was killed, or it crashed): the
/// orphan is re-parented, so `getppid()` changes. Polled on a thread; `action` runs once. Pass the
/// parent's pid when it is known (it may have died before this process looked).
public enum ParentWatch {
    public static func onExit(of parent: pid_t = getppid(), checkEvery seconds: Double = 0.5,
                              _ action: @escaping @Sendable () -> Void) {
        let t = Thread {
            while getppid() == parent { Thread.sleep(forTimeInterval: seconds) }
            action()
        }
        t.start()
    }
}
