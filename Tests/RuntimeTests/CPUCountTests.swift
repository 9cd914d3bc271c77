import Foundation
import Testing
@testable import Runtime

/// Cores for `threads_per_slot: auto` and the default slot count: the tightest of affinity, cgroup and Slurm.
@Test func cpuCountTakesTheTightestLimit() {
    #expect(CPUCount.limit(affinity: 64, cgroup: 64, environment: [:]) == 64)
    #expect(CPUCount.limit(affinity: 64, cgroup: 4, environment: [:]) == 4, "a container quota of 4 CPUs")
    #expect(CPUCount.limit(affinity: 8, cgroup: 64, environment: [:]) == 8, "taskset / a Slurm task's cores")
    #expect(CPUCount.limit(affinity: 64, cgroup: 64, environment: ["SLURM_CPUS_PER_TASK": "6"]) == 6)
    #expect(CPUCount.limit(affinity: 4, cgroup: 64, environment: ["SLURM_CPUS_PER_TASK": "6"]) == 4)
    #expect(CPUCount.limit(affinity: 64, cgroup: 64, environment: ["SLURM_CPUS_PER_TASK": "x"]) == 64, "unparsable: ignored")
    #expect(CPUCount.limit(affinity: 0, cgroup: -1, environment: ["SLURM_CPUS_PER_TASK": "0"]) == 1, "never below 1")
}
