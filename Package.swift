// swift-tools-version:6.1
import PackageDescription

/// AutoLFADS for Swift. One target per concern; see README "Architecture".
let package = Package(
    name: "AutoLFADS",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "autolfads", targets: ["autolfads"]),
        .executable(name: "autolfads-bench", targets: ["autolfads-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.25.0"),   // PostgresClient additionalStartupParameters
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),   // MetricNameDescriptor
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),   // System.coreCount (cgroup quota, cpuset); Hummingbird's too
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),   // UnixSignals; Hummingbird's too
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev, libhdf5-dev).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),

        // Per-thread malloc counter (forwards to glibc) so tests and benchmarks can prove 0 allocations.
        .target(name: "CAllocCounter"),
        // Numerical engine: tensors, tape autodiff, BLAS, fused GRU, optimisers, RNG.
        .target(name: "Engine", dependencies: ["CBLAS"],
                swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        // Size, alias and depth limits on YAML text, checked before and after Yams parses it.
        .target(name: "YAMLInput", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The one crash-safe file writer (temp + O_EXCL + fsync + rename) and errno-carrying file errors.
        .target(name: "FileSystem"),
        // Statistics users read: Poisson NLL, bits/spike, R², affine fits.
        .target(name: "LFADSMetrics"),
        // LFADS HDF5 files (both conventions), validation, synthetic benchmarks.
        .target(name: "LFADSData", dependencies: ["CHDF5", "LFADSMetrics", "FileSystem"]),
        // The LFADS model, its config, training loop, checkpoints and outputs.
        .target(name: "LFADSModel", dependencies: ["Engine", "LFADSData", "LFADSMetrics", "FileSystem", "YAMLInput",
                                                   .product(name: "Yams", package: "Yams")]),
        // Population Based Training: pure, seeded decision logic (no I/O).
        .target(name: "PBT"),
        // Coordination store (SQLite, PostgreSQL) and shared-storage layout.
        .target(name: "Coordination", dependencies: [
            "PBT", "FileSystem",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        // TensorBoard event files: CRC-32C, a minimal protobuf encoder, TFRecord framing (pure) and an appending writer.
        .target(name: "TensorBoard"),
        // Server, client and worker processes.
        .target(name: "Runtime", dependencies: ["PBT", "Coordination", "LFADSModel", "LFADSData", "Engine", "Deploy", "TensorBoard", "FileSystem", "YAMLInput",
                                               .product(name: "NIOCore", package: "swift-nio"), .product(name: "Yams", package: "Yams"),
                                               .product(name: "UnixSignals", package: "swift-service-lifecycle")]),
        // Server-side SVG charts: pure, deterministic, no dependencies.
        .target(name: "Plots"),
        // Live dashboard (Hummingbird), run report, Prometheus metrics.
        .target(name: "Dashboard", dependencies: [
            "Plots", "PBT", "LFADSData", "LFADSMetrics", "Coordination", "FileSystem",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // Deployment: container launch argv, Slurm scripts, shell quoting (pure generators).
        .target(name: "Deploy", dependencies: ["FileSystem"]),
        // Measurements behind `autolfads bench` (engine, store, runtime, dashboard) and the malloc counter they and
        // the zero-allocation test use: linked only into autolfads-bench and the tests, never into autolfads.
        .target(name: "Benchmarks", dependencies: ["Engine", "CBLAS", "CAllocCounter", "Coordination", "Dashboard", "Runtime", "PBT", "FileSystem"]),
        // The `autolfads` command line.
        .executableTarget(name: "autolfads", dependencies: [
            "Runtime", "Dashboard", "LFADSModel", "LFADSData", "LFADSMetrics", "Engine", "PBT", "Coordination", "Deploy", "FileSystem",
            "TensorBoard", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The benchmarks' command line, started by `autolfads bench …` from the same folder.
        .executableTarget(name: "autolfads-bench", dependencies: [
            "Benchmarks", "Runtime", "LFADSModel", "LFADSData", "LFADSMetrics", "Engine", "PBT", "Coordination", "FileSystem",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Helpers shared by test targets (the one process spawner, binary locator, SVG inspection, seeded RNG).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "EngineTests", dependencies: ["TestSupport", "Engine", "Benchmarks"]),
        .testTarget(name: "FileSystemTests", dependencies: ["FileSystem"]),
        .testTarget(name: "LFADSMetricsTests", dependencies: ["TestSupport", "LFADSMetrics"], exclude: ["nlb_reference.py"]),
        .testTarget(name: "LFADSDataTests", dependencies: ["TestSupport", "LFADSData", "LFADSMetrics"],
                    exclude: ["check_h5.py", "nwb_check.py", "nwb_synth_check.py", "hostile_h5.py"]),   // run via #filePath by the tests
        .testTarget(name: "LFADSModelTests", dependencies: ["TestSupport", "LFADSModel", "Engine", "LFADSData", "LFADSMetrics", "FileSystem"],
                    exclude: ["check_outputs.py", "legacy_checkpoint.ckpt"]),   // read via #filePath by the tests
        .testTarget(name: "PBTTests", dependencies: ["PBT"]),
        .testTarget(name: "TensorBoardTests", dependencies: ["TensorBoard"]),
        .testTarget(name: "CoordinationTests", dependencies: ["TestSupport", "Coordination", "PBT", "FileSystem",
                                                          .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(name: "PlotsTests", dependencies: ["TestSupport", "Plots"]),
        .testTarget(name: "DashboardTests", dependencies: ["TestSupport", "Dashboard", "Plots", "LFADSData", "LFADSMetrics", "Coordination", "PBT"]),
        .testTarget(name: "DeployTests", dependencies: ["TestSupport", "Deploy", "YAMLInput", .product(name: "Yams", package: "Yams")]),
        // Runs the built `autolfads` binary: every command, a success and an error each.
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "RuntimeTests", dependencies: ["TestSupport", "Runtime", "Coordination", "PBT", "Deploy", "Dashboard", "LFADSModel", "FileSystem", "YAMLInput"],
                    exclude: ["tb_check.py"]),   // run via #filePath by the TensorBoard test
    ],
    swiftLanguageModes: [.v6]
)
