import Deploy
import Engine
import Foundation

/// Environment for worker child processes: BLAS kernel choice and per-slot thread limits.
public enum ChildEnvironment {
    /// Builds a child's environment from the parent's.
    /// - `OPENBLAS_CORETYPE`: `AUTOLFADS_BLAS_CORETYPE` chooses the `BLASKernel` policy (`auto`, `keep`
    ///   or a core name). Without it, a user-set `OPENBLAS_CORETYPE` is kept, else `auto` (SkylakeX on
    ///   AVX-512 CPUs, where OpenBLAS would pick its slower AVX2 kernel; see ENVIRONMENT.md).
    /// - `AUTOLFADS_THREADS` = `threads`: the worker's data-parallel training threads. BLAS runs one
    ///   thread inside each (`OPENBLAS_NUM_THREADS` = `OMP_NUM_THREADS` = 1), so OpenBLAS starts no
    ///   thread pool of its own next to the worker's.
    /// - No credentials (`SecretEnvironment`): a worker exchanges files only and never opens the store.
    public static func make(base: [String: String], threads: Int, cpuHasAVX512: Bool) -> [String: String] {
        let base = SecretEnvironment.removingSecrets(from: base)
        var policy = BLASKernel.Policy.auto
        if let choice = base["AUTOLFADS_BLAS_CORETYPE"], let p = try? BLASKernel.Policy(parsing: choice) { policy = p }
        else if base["OPENBLAS_CORETYPE"] != nil { policy = .keep }
        var env = BLASKernel.childEnvironment(policy, base: base, avx512: cpuHasAVX512)
        let t = String(max(1, threads))
        env["OPENBLAS_NUM_THREADS"] = "1"
        env["OMP_NUM_THREADS"] = "1"
        env["AUTOLFADS_THREADS"] = t
        return env
    }

    /// The environment for a worker on this machine.
    public static func forWorker(threads: Int) -> [String: String] {
        make(base: ProcessInfo.processInfo.environment, threads: threads, cpuHasAVX512: BLASKernel.cpuHasAVX512)
    }
}
