import Foundation
import NIOCore

/// The CPU cores this process may use, for the default slot count and `threads_per_slot: auto`: the
/// fewest of the CPUs it may run on (its affinity mask: `taskset`, a Slurm task's cores), what its cgroup
/// allows (a CPU quota such as Kubernetes' `limits.cpu` or `docker run --cpus`, rounded up, else the
/// cgroup's cpuset; read by swift-nio's `System.coreCount`) and Slurm's `SLURM_CPUS_PER_TASK` when set.
public enum CPUCount {
    public static var available: Int {
        limit(affinity: ProcessInfo.processInfo.activeProcessorCount, cgroup: System.coreCount,
              environment: ProcessInfo.processInfo.environment)
    }

    /// The rule (pure): the smallest positive count among the sources, at least 1.
    static func limit(affinity: Int, cgroup: Int, environment: [String: String]) -> Int {
        let slurm = environment["SLURM_CPUS_PER_TASK"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return max(1, [affinity, cgroup, slurm ?? 0].filter { $0 > 0 }.min() ?? 1)
    }
}
