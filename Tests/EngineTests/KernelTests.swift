import Testing
import Foundation
import Engine

@Suite struct KernelTests {
    @Test func fastMathAccuracy() {
        var worstExp = 0.0, worstTanh = 0.0, worstSig = 0.0
        var x: Float = -20
        while x <= 20 {
            worstExp = max(worstExp, abs(Double(FastMath.exp(x)) - Foundation.exp(Double(x))) / Foundation.exp(Double(x)))
            worstTanh = max(worstTanh, abs(Double(FastMath.tanh(x)) - Foundation.tanh(Double(x))))
            worstSig = max(worstSig, abs(Double(FastMath.sigmoid(x)) - 1 / (1 + Foundation.exp(-Double(x)))))
            x += 0.0137
        }
        #expect(worstExp < 5e-7)
        #expect(worstTanh < 3e-7)
        #expect(worstSig < 2e-7)
        #expect(FastMath.exp(1000).isFinite && FastMath.exp(-1000) >= 0)
    }

    @Test func digammaAndLgamma() {
        #expect(abs(Special.digamma(1) + 0.5772156649015329) < 1e-10)
        #expect(abs(Special.digamma(0.5) - (-1.9635100260214235)) < 1e-10)
        #expect(abs(Special.digamma(10.3) - (Special.lgamma(10.3 + 1e-5) - Special.lgamma(10.3 - 1e-5)) / 2e-5) < 1e-6)
        #expect(abs(Special.lgamma(5) - Foundation.log(24)) < 1e-12)
    }

    @Test func blasKernelPolicy() throws {
        #expect(try BLASKernel.Policy(parsing: "auto") == .auto)
        #expect(try BLASKernel.Policy(parsing: "KEEP") == .keep)
        #expect(try BLASKernel.Policy(parsing: "SkylakeX") == .named("SkylakeX"))
        #expect(throws: EngineError.self) { try BLASKernel.Policy(parsing: "") }
        #expect(BLASKernel.desiredCoreType(.auto, avx512: true) == "SkylakeX")
        #expect(BLASKernel.desiredCoreType(.auto, avx512: false) == nil)
        #expect(BLASKernel.desiredCoreType(.keep, avx512: true) == nil)
        #expect(BLASKernel.desiredCoreType(.named("Haswell"), avx512: true) == "Haswell")
        let env = BLASKernel.childEnvironment(.auto, base: ["OPENBLAS_CORETYPE": "Haswell", "X": "1"], avx512: true)
        #expect(env == ["OPENBLAS_CORETYPE": "SkylakeX", "X": "1"])
        #expect(BLASKernel.childEnvironment(.keep, base: ["A": "b"], avx512: true) == ["A": "b"])
        let flags = BLASKernel.parseFlags("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512bw avx512dq avx512vl\n")
        #expect(BLASKernel.hasAVX512(flags: flags))
        #expect(!BLASKernel.hasAVX512(flags: ["avx512f", "avx2"]))
        #expect(!BLASKernel.coreName.isEmpty && BLASKernel.coreName != "unknown")
        // The kernel in use follows OPENBLAS_CORETYPE when it is set to a kernel this CPU supports.
        if let want = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], want == "Haswell" || want == "SkylakeX" {
            #expect(BLASKernel.coreName.lowercased() == want.lowercased())
        }
    }

    @Test func threadControl() {
        BLASThreads.set(1)
        #expect(BLASThreads.current == 1)
    }
}
