import Foundation
import Testing
@testable import PBT

@Suite struct SearchSpaceTests {
    @Test func linearGridIsEvenlySpacedOverThePopulation() throws {
        let s = SearchSpace([HyperparameterSpec(name: "x", min: 0.1, max: 0.9, initMode: .grid(log: false))])
        var r = PBTRandom(seed: 1)
        let pop = try s.initialPopulation(workers: 5, using: &r)
        let xs = pop.map { $0["x"]! }
        for (i, x) in xs.enumerated() { #expect(abs(x - (0.1 + 0.2 * Double(i))) < 1e-12) }
        #expect(xs.last == 0.9)
    }

    @Test func logGridIsEvenlySpacedInLog10() throws {
        let s = SearchSpace([HyperparameterSpec(name: "x", min: 1e-4, max: 1, initMode: .grid(log: true))])
        var r = PBTRandom(seed: 1)
        let xs = try s.initialPopulation(workers: 5, using: &r).map { $0["x"]! }
        for (i, x) in xs.enumerated() { #expect(abs(log10(x) - (-4 + Double(i))) < 1e-9) }
    }

    @Test func logUniformCoversTheDecadesEvenly() throws {
        let s = SearchSpace([HyperparameterSpec(name: "x", min: 1e-6, max: 1e-2, initMode: .logUniform)])
        var r = PBTRandom(seed: 3)
        let xs = try s.initialPopulation(workers: 4000, using: &r).map { $0["x"]! }
        #expect(xs.allSatisfy { $0 >= 1e-6 && $0 <= 1e-2 })
        // Each of the 4 decades gets about a quarter (a linear uniform would put ~90% in the last).
        for d in 0..<4 {
            let lo = pow(10, -6 + Double(d)), hi = lo * 10
            let frac = Double(xs.filter { $0 >= lo && $0 < hi }.count) / Double(xs.count)
            #expect(abs(frac - 0.25) < 0.04, "decade \(d): \(frac)")
        }
    }

    @Test func uniformFixedAndChoiceInits() throws {
        let s = SearchSpace([
            HyperparameterSpec(name: "u", min: 2, max: 3, initMode: .uniform),
            HyperparameterSpec(name: "f", min: 0, max: 1, initMode: .fixed(0.5)),
            HyperparameterSpec(name: "c", min: 0, max: 0, values: [16, 32, 64], initMode: .choice),
        ])
        var r = PBTRandom(seed: 2)
        let pop = try s.initialPopulation(workers: 300, using: &r)
        #expect(pop.allSatisfy { ($0["u"]! >= 2) && ($0["u"]! < 3) })
        #expect(pop.allSatisfy { $0["f"] == 0.5 })
        #expect(Set(pop.map { $0["c"]! }) == [16, 32, 64])
    }

    @Test func sameSeedSamePopulation() throws {
        var a = PBTRandom(seed: 77), b = PBTRandom(seed: 77), c = PBTRandom(seed: 78)
        let s = SearchSpace.lfadsTorchNLB
        let pa = try s.initialPopulation(workers: 20, using: &a)
        #expect(pa == (try s.initialPopulation(workers: 20, using: &b)))
        #expect(pa != (try s.initialPopulation(workers: 20, using: &c)))
    }

    @Test func nlbPresetMatchesTheSpec() throws {
        let s = SearchSpace.lfadsTorchNLB
        try s.validate()
        #expect(s.hyperparameters.map(\.name) ==
                ["lr_init", "dropout_rate", "cd_rate", "kl_co_scale", "kl_ic_scale", "l2_gen_scale", "l2_con_scale"])
        #expect(s["lr_init"]?.initMode == .fixed(4e-3) && s["lr_init"]?.max == 5e-3 && s["lr_init"]?.limit == true)
        #expect(s["cd_rate"]?.min == 0.01 && s["cd_rate"]?.max == 0.7)
        #expect(s["kl_co_scale"]?.initMode == .logUniform && s["kl_co_scale"]?.perturbation == 0.8)
        #expect(s["l2_gen_scale"]?.limit == false)
        #expect(SearchSpace.autolfadsTF2["kl_ic_scale"]?.min == 1e-5)
        #expect(SearchSpace.autolfadsTF2.hyperparameters.allSatisfy { $0.perturbationSpace == .log })
    }

    @Test func searchSpaceRoundTripsThroughJSON() throws {
        let s = SearchSpace.lfadsTorchNLB
        let back = try JSONDecoder().decode(SearchSpace.self, from: JSONEncoder().encode(s))
        #expect(back == s)
    }

    @Test func invalidSpecsGiveClearErrors() {
        var r = PBTRandom(seed: 1)
        let bad = SearchSpace([HyperparameterSpec(name: "kl", min: 0, max: 1, initMode: .logUniform)])
        #expect(throws: PBTError.invalidSearchSpace("hyperparameter kl: logUniform needs min > 0 (got 0.0)")) {
            try bad.initialPopulation(workers: 2, using: &r)
        }
        let dup = SearchSpace([HyperparameterSpec(name: "a", min: 0, max: 1, initMode: .uniform),
                               HyperparameterSpec(name: "a", min: 0, max: 1, initMode: .uniform)])
        #expect(throws: PBTError.self) { try dup.validate() }
        let inverted = SearchSpace([HyperparameterSpec(name: "a", min: 2, max: 1, initMode: .uniform)])
        #expect(throws: PBTError.self) { try inverted.validate() }
        #expect(throws: PBTError.self) { try SearchSpace.lfadsTorchNLB.initialPopulation(workers: 0, using: &r) }
    }
}

@Suite struct SpecCodingTests {
    @Test func flatConfigFormDecodesWithDefaults() throws {
        let json = """
        [{"name": "lr", "min": 1e-5, "max": 5e-3, "init": "fixed", "value": 0.004},
         {"name": "kl", "min": 1e-6, "max": 1e-4, "init": "logUniform", "perturbation": 0.8,
          "space": "log", "limit": false},
         {"name": "units", "values": [16, 32, 64], "init": "choice", "explorable": false},
         {"name": "g", "min": 1e-3, "max": 1, "init": "logGrid"}]
        """
        let s = try JSONDecoder().decode(SearchSpace.self, from: Data(json.utf8))
        #expect(s["lr"] == HyperparameterSpec(name: "lr", min: 1e-5, max: 5e-3, initMode: .fixed(0.004)))
        #expect(s["kl"]?.perturbationSpace == .log && s["kl"]?.limit == false && s["kl"]?.perturbation == 0.8)
        #expect(s["units"]?.min == 16 && s["units"]?.max == 64 && s["units"]?.explorable == false)
        #expect(s["g"]?.initMode == .grid(log: true))
        try s.validate()
    }

    @Test func badConfigFormNamesTheProblem() {
        let json = #"[{"name": "lr", "min": 1, "max": 2, "init": "gaussian"}]"#
        do {
            _ = try JSONDecoder().decode(SearchSpace.self, from: Data(json.utf8))
            Issue.record("expected a decoding error")
        } catch let DecodingError.dataCorrupted(ctx) {
            #expect(ctx.debugDescription.contains("unknown init 'gaussian'"))
        } catch { Issue.record("unexpected error \(error)") }
        let noValue = #"[{"name": "lr", "min": 1, "max": 2, "init": "fixed"}]"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SearchSpace.self, from: Data(noValue.utf8)) }
    }
}

@Suite struct PolicyCodingTests {
    @Test func policyAndStoppingDecodeWithDefaults() throws {
        let json = #"{"space": [{"name": "lr", "min": 1e-5, "max": 5e-3, "init": "fixed", "value": 0.004}], "exploit": "truncation"}"#
        let p = try JSONDecoder().decode(PBTPolicy.self, from: Data(json.utf8))
        #expect(p == PBTPolicy(space: p.space, objective: .minimize, exploit: .truncation(fraction: 0.25)))
        let again = try JSONDecoder().decode(PBTPolicy.self, from: JSONEncoder().encode(p))
        #expect(again == p)
        let s = try JSONDecoder().decode(StoppingRule.self, from: Data(#"{"maxGenerations": 7}"#.utf8))
        #expect(s == StoppingRule(maxGenerations: 7, window: 5, minChange: 5e-4))
        let bad = #"{"space": [], "exploit": "roulette"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PBTPolicy.self, from: Data(bad.utf8)) }
    }
}
