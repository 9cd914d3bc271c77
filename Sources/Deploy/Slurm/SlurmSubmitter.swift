import Foundation
import FileSystem

/// Writes a plan's sbatch scripts into the run's storage and submits them with `sbatch` (argv, no shell).
public struct SlurmSubmitter {
    public var plan: SlurmPlan
    /// The sbatch executable (name on PATH or absolute path).
    public var sbatch: String = "sbatch"

    public init(plan: SlurmPlan) { self.plan = plan }

    /// What was submitted: job ids, the server's pid when it runs on this node, the scripts written.
    public struct Result: Equatable {
        public var serverJobID: String?
        public var serverPID: Int32?
        public var clientJobID: String?
        public var scripts: [String]
    }

    /// Writes the scripts (atomically, mode 0755) and returns their paths.
    public func writeScripts() throws -> [String] {
        try plan.validate()
        try FileManager.default.createDirectory(atPath: plan.directory, withIntermediateDirectories: true)
        var written: [String] = []
        if plan.server == .job {
            try Self.writeAtomically(try plan.serverScript(), to: plan.serverScriptPath); written.append(plan.serverScriptPath)
        }
        try Self.writeAtomically(try plan.clientScript(), to: plan.clientScriptPath); written.append(plan.clientScriptPath)
        return written
    }

    /// Writes the scripts, starts the server (as a job or on this node) and submits the clients.
    public func submit() throws -> Result {
        let scripts = try writeScripts()
        var r = Result(scripts: scripts)
        switch plan.server {
        case .job:
            r.serverJobID = try sbatchSubmit(plan.serverScriptPath, output: plan.serverOutput, after: nil)
        case .loginNode:
            r.serverPID = try startServerHere()
        }
        r.clientJobID = try sbatchSubmit(plan.clientScriptPath, output: plan.clientOutput, after: r.serverJobID)
        return r
    }

    func sbatchSubmit(_ script: String, output: String, after: String?) throws -> String {
        let argv = SlurmPlan.sbatchArgv(script: script, output: output, after: after, sbatch: sbatch)
        let (status, out, err) = try Self.capture(argv)
        guard status == 0, let id = SlurmPlan.parseJobID(out) else {
            let why = err.trimmingCharacters(in: .whitespacesAndNewlines)
            throw DeployError("sbatch failed for \(script) (exit \(status)): \(why.isEmpty ? out : why)")
        }
        return id
    }

    /// Starts `autolfads server` detached on this node, output to `<run>/slurm/server-login.log`.
    func startServerHere() throws -> Int32 {
        let log = plan.directory + "/server-login.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        guard let h = FileHandle(forWritingAtPath: log) else { throw DeployError("cannot write \(log): check storage permissions") }
        h.seekToEndOfFile()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: plan.executable)
        p.arguments = Array(plan.serverArgv.dropFirst())
        p.standardOutput = h; p.standardError = h
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { throw DeployError("cannot start \(plan.executable) server: \(error)") }
        return p.processIdentifier
    }

    static func capture(_ argv: [String]) throws -> (Int32, String, String) {
        let p = Process()
        if argv[0].hasPrefix("/") { p.executableURL = URL(fileURLWithPath: argv[0]); p.arguments = Array(argv.dropFirst()) }
        else { p.executableURL = URL(fileURLWithPath: "/usr/bin/env"); p.arguments = argv }
        let o = Pipe(), e = Pipe()
        p.standardOutput = o; p.standardError = e
        do { try p.run() } catch { throw DeployError("cannot run \(argv[0]): \(error); is Slurm installed on this node?") }
        let out = o.fileHandleForReading.readDataToEndOfFile(), err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Writes a script (mode 0755 less the umask) with the file layer's atomic writer.
    static func writeAtomically(_ text: String, to path: String) throws {
        do { try AtomicFile.write(Data(text.utf8), to: path, permissions: 0o755) } catch let e as FileSystemError {
            throw DeployError("cannot write the Slurm script: \(e); check storage permissions")
        }
    }
}
