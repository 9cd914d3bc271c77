import Foundation

/// Environment for worker child processes: BLAS kernel choice and per-slot thread limits.
public enum ChildEnvironment {
    /// Builds a child's environment from the parent's.
    /// - `OPENBLAS_CORETYPE`: kept if the user set it; `AUTOLFADS_BLAS_CORETYPE=keep` leaves OpenBLAS's own
    ///   choice; `AUTOLFADS_BLAS_CORETYPE=<name>` forces a kernel; otherwise `SkylakeX` on CPUs with AVX-512F
    ///   (OpenBLAS picks its slower AVX2 kernel on Zen 4/5, see ENVIRONMENT.md).
    /// - Thread limits (`OPENBLAS_NUM_THREADS`, `OMP_NUM_THREADS`, `AUTOLFADS_THREADS`) = `threads`.
    public static func make(base: [String: String], threads: Int, cpuHasAVX512F: Bool) -> [String: String] {
        var env = base
        let choice = base["AUTOLFADS_BLAS_CORETYPE"]
        if let choice, !choice.isEmpty {
            if choice.lowercased() != "keep" { env["OPENBLAS_CORETYPE"] = choice }
        } else if base["OPENBLAS_CORETYPE"] == nil, cpuHasAVX512F {
            env["OPENBLAS_CORETYPE"] = "SkylakeX"
        }
        let t = String(max(1, threads))
        env["OPENBLAS_NUM_THREADS"] = t
        env["OMP_NUM_THREADS"] = t
        env["AUTOLFADS_THREADS"] = t
        return env
    }

    /// Whether this CPU reports the `avx512f` flag (Linux `/proc/cpuinfo`; false elsewhere).
    public static let cpuHasAVX512F: Bool = {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
        return info.split(separator: "\n").contains { line in
            line.hasPrefix("flags") && line.split(separator: " ").contains("avx512f")
        }
    }()

    /// The environment for a worker on this machine.
    public static func forWorker(threads: Int) -> [String: String] {
        make(base: ProcessInfo.processInfo.environment, threads: threads, cpuHasAVX512F: cpuHasAVX512F)
    }
}
