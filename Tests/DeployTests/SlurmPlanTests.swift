import Foundation
import Testing
@testable import Deploy

@Suite struct SlurmPlanTests {
    func plan(name: String = "lorenz", storage: String = "/shared/st", store: String? = nil) -> SlurmPlan {
        var p = SlurmPlan(run: RunLocation(name: name, storage: storage, store: store, configPath: "/shared/run.yaml"),
                          executable: "/shared/bin/autolfads", clients: 3, slots: 2)
        p.partition = "debug"; p.time = "1:00:00"; p.memory = "8G"
        return p
    }

    @Test func arrayScriptRunsOneClientPerTask() throws {
        let s = try plan().clientScript()
        #expect(s.hasPrefix("#!/bin/bash\n"))
        for line in ["#SBATCH --array=0-2", "#SBATCH --cpus-per-task=2", "#SBATCH --partition=debug", "#SBATCH --time=1:00:00",
                     "#SBATCH --mem=8G", "#SBATCH --output=/shared/st/runs/lorenz/slurm/client-%A_%a.out",
                     "exec /shared/bin/autolfads client --store sqlite:///shared/st/runs/lorenz/coordination.db --storage /shared/st --slots 2 --run lorenz --idle-timeout 600"] {
            #expect(s.contains(line + "\n"), "missing \(line)")
        }
    }

    @Test func perNodeLayoutUsesSrun() throws {
        var p = plan(); p.layout = .perNode; p.cpusPerTask = 4
        let s = try p.clientScript()
        #expect(s.contains("#SBATCH --nodes=3\n") && s.contains("#SBATCH --ntasks-per-node=1\n") && s.contains("#SBATCH --cpus-per-task=4\n"))
        #expect(s.contains("exec srun --ntasks-per-node=1 /shared/bin/autolfads client "))
        #expect(!s.contains("--array"))
    }

    @Test func serverScriptPassesConfigAndStore() throws {
        let s = try plan(store: "postgres://lfads@10.0.0.5:5432/autolfads").serverScript()
        #expect(s.contains("exec /shared/bin/autolfads server --config /shared/run.yaml --name lorenz --storage /shared/st --store postgres://lfads@10.0.0.5:5432/autolfads\n"))
    }

    /// run.yaml overrides follow the server's flags, each one word for bash whatever it holds.
    @Test func serverScriptPassesOverridesShellQuoted() async throws {
        var p = plan()
        p.overrides = ["population=16", "pbt.mode=async", "model.note='a b; $(id)'", "search_space.lr_init.max=1e-2"]
        let s = try p.serverScript()
        let exec = s.split(separator: "\n").first { $0.hasPrefix("exec ") }!
        let words = try await bashWords(String(exec.dropFirst(5)))
        #expect(words == p.serverArgv && Array(words.suffix(4)) == p.overrides)
        #expect(words[words.count - 5] == p.run.store)
        p.overrides = ["x=a\nb"]
        #expect(throws: DeployError.self) { try p.serverScript() }
    }

    /// Hostile run names, paths and URLs are inert in the generated scripts: bash parses the exec line
    /// back into exactly the argv the plan meant.
    @Test func hostileStringsAreQuotedInScripts() async throws {
        let evil = "x' ; touch /tmp/pwned-slurm ; echo '$(id)`id`\\ \"q\""
        let p = plan(name: "toy-1", storage: "/shared/my $(dir)/`st`" + evil, store: "sqlite:///a b/'c'.db" + evil)
        for (script, argv, log) in [(try p.clientScript(), p.clientArgv, "slurm-%A_%a.out"), (try p.serverScript(), p.serverArgv, "slurm-%j.out")] {
            let exec = script.split(separator: "\n").first { $0.hasPrefix("exec ") }!
            #expect(try await bashWords(String(exec.dropFirst(5))) == argv)
            let cd = script.split(separator: "\n").first { $0.hasPrefix("cd ") }!
            #expect(try await bashWords(String(cd.dropFirst(3))) == [p.run.storage])
            #expect(script.contains("#SBATCH --job-name=autolfads-toy-1-"))
            #expect(script.contains("#SBATCH --output=\(log)\n"))   // path with spaces: given on sbatch's argv
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned-slurm"))
        #expect(SlurmPlan.sbatchArgv(script: "/s/c", output: p.clientOutput)[2] == "--output=" + p.run.storage + "/runs/toy-1/slurm/client-%A_%a.out")
        // Run names are storage names; a newline in a path would break the script: both refused.
        for bad in ["a\nb", "a b", "../x", ".hidden", "", "x;y"] {
            #expect(throws: DeployError.self) { try RunLocation.validateRunName(bad) }
        }
        var q = plan(); q.run.storage = "/a\nb"
        #expect(throws: DeployError.self) { try q.clientScript() }
        q = plan(); q.run.store = "sqlite:///x\n#SBATCH --uid=0"
        #expect(throws: DeployError.self) { try q.serverScript() }
    }

    @Test func badSlurmValuesAreRefused() {
        func message(_ mutate: (inout SlurmPlan) -> Void) -> String {
            var p = plan(); mutate(&p)
            do { _ = try p.clientScript(); return "" } catch { return "\(error)" }
        }
        #expect(message { $0.partition = "debug\n#SBATCH --uid=0" }.contains("--partition"))
        #expect(message { $0.time = "1 hour" }.contains("--time"))
        #expect(message { $0.memory = "8 GB" }.contains("--mem"))
        #expect(message { $0.clients = 0 }.contains("--clients"))
        #expect(message { $0.slots = 0 }.contains("--slots"))
        #expect(message { $0.executable = "autolfads" }.contains("absolute"))
    }

    @Test func sbatchArgvAndJobIDs() {
        #expect(SlurmPlan.sbatchArgv(script: "/s/c.sbatch", after: "41") == ["sbatch", "--parsable", "--dependency=after:41", "/s/c.sbatch"])
        #expect(SlurmPlan.sbatchArgv(script: "/s/c.sbatch") == ["sbatch", "--parsable", "/s/c.sbatch"])
        #expect(SlurmPlan.parseJobID("42\n") == "42")
        #expect(SlurmPlan.parseJobID("43;cluster\n") == "43")
        #expect(SlurmPlan.parseJobID("sbatch: error: invalid partition") == nil)
    }
}
