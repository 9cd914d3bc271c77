import PBT
/// Default search spaces when `run.yaml` gives none.
public enum SearchSpacePresets {
    /// The lfads-torch NLB `run_pbt` space: PBT's `SearchSpace.lfadsTorchNLB`, the one definition.
    public static let lfads: [HyperparameterConfig] = SearchSpace.lfadsTorchNLB.hyperparameters.map(HyperparameterConfig.init(spec:))
    /// The toy objective's space: one decay rate per coordinate of θ ∈ R² (Jaderberg et al. 2017).
    public static let toy: [HyperparameterConfig] = [
        .init(name: "h0", min: 0, max: 1, initMode: .uniform, weight: 0.3, limit: true),
        .init(name: "h1", min: 0, max: 1, initMode: .uniform, weight: 0.3, limit: true),
    ]
    public static func preset(for objective: RunConfig.Objective) -> [HyperparameterConfig] {
        objective == .toy ? toy : lfads
    }
}
