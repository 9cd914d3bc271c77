import CBLAS
import Foundation

/// Which OpenBLAS kernel a process runs with. OpenBLAS picks its kernel when it loads, from
/// `OPENBLAS_CORETYPE`; on AVX-512 CPUs `SkylakeX` doubles SGEMM over `Haswell`, so compute
/// commands re-exec themselves with the right variable (`relaunchIfNeeded`).
public enum BLASKernel {
    /// Kernel selection policy.
    public enum Policy: Equatable, Sendable, CustomStringConvertible {
        /// SkylakeX when the CPU has avx512f+bw+dq+vl, otherwise leave the environment as is.
        case auto
        /// Inherit whatever the environment says.
        case keep
        /// A specific OpenBLAS core name (e.g. "Haswell", "SkylakeX").
        case named(String)

        /// Parses "auto", "keep" or a core name; throws for an empty string.
        public init(parsing s: String) throws {
            switch s.lowercased() {
            case "auto": self = .auto
            case "keep": self = .keep
            case "": throw EngineError.invalidArgument("BLAS kernel policy is empty: use auto, keep or a core name like SkylakeX")
            default: self = .named(s)
            }
        }

        public var description: String {
            switch self {
            case .auto: return "auto"
            case .keep: return "keep"
            case .named(let n): return n
            }
        }
    }

    /// Environment variable guarding against re-exec loops.
    public static let relaunchMarker = "AUTOLFADS_BLAS_RELAUNCHED"

    /// The kernel OpenBLAS is using in this process (e.g. "Haswell", "SkylakeX").
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// The OpenBLAS build configuration string.
    public static var config: String {
        guard let p = openblas_get_config() else { return "unknown" }
        return String(cString: p)
    }

    /// CPU flags from /proc/cpuinfo (empty set when unreadable).
    public static func cpuFlags(cpuinfo path: String = "/proc/cpuinfo") -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return parseFlags(text)
    }

    /// The flags of the first "flags" line of a cpuinfo text.
    public static func parseFlags(_ cpuinfo: String) -> Set<String> {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// True when the flags include avx512f, avx512bw, avx512dq and avx512vl.
    public static func hasAVX512(flags: Set<String>) -> Bool {
        ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
    }

    /// True when this CPU supports the SkylakeX kernel.
    public static var cpuHasAVX512: Bool { hasAVX512(flags: cpuFlags()) }

    /// The OPENBLAS_CORETYPE a process should run with under `policy`, or nil to leave it alone.
    public static func desiredCoreType(_ policy: Policy, avx512: Bool) -> String? {
        switch policy {
        case .keep: return nil
        case .auto: return avx512 ? "SkylakeX" : nil
        case .named(let n): return n
        }
    }

    /// The environment a child process should get under `policy` (`base` plus OPENBLAS_CORETYPE).
    public static func childEnvironment(_ policy: Policy, base: [String: String] = ProcessInfo.processInfo.environment,
                                        avx512: Bool? = nil) -> [String: String] {
        var env = base
        if let core = desiredCoreType(policy, avx512: avx512 ?? cpuHasAVX512) { env["OPENBLAS_CORETYPE"] = core }
        return env
    }

    /// Re-executes the current process (`/proc/self/exe`, same argv) with the OPENBLAS_CORETYPE that
    /// `policy` asks for, when it differs from the current environment. Does nothing when it already
    /// matches, when the policy is `keep`, or when this process is itself a relaunch (loop guard).
    /// Returns only if no relaunch happened (or `execve` failed; then a warning goes to stderr).
    public static func relaunchIfNeeded(_ policy: Policy) {
        let env = ProcessInfo.processInfo.environment
        guard env[relaunchMarker] == nil,
              let want = desiredCoreType(policy, avx512: cpuHasAVX512),
              env["OPENBLAS_CORETYPE"] != want else { return }
        var newEnv = env
        newEnv["OPENBLAS_CORETYPE"] = want
        newEnv[relaunchMarker] = "1"
        let args = CommandLine.arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = newEnv.map { strdup("\($0.key)=\($0.value)") } + [nil]
        execve("/proc/self/exe", &cArgs, &cEnv)
        let err = String(cString: strerror(errno))
        FileHandle.standardError.write(Data("warning: could not relaunch with OPENBLAS_CORETYPE=\(want) (\(err)); continuing with \(coreName)\n".utf8))
        for p in cArgs { free(p) }
        for p in cEnv { free(p) }
    }
}
