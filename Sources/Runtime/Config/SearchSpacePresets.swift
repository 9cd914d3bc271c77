/// Default search spaces when `run.yaml` gives none.
public enum SearchSpacePresets {
    /// lfads-torch NLB `run_pbt` space (LFADS_SPEC §5.2 table).
    public static let lfads: [HyperparameterConfig] = [
        .init(name: "lr_init", min: 1e-5, max: 5e-3, initMode: .fixed, initValue: 4e-3, weight: 0.3, limit: true),
        .init(name: "dropout_rate", min: 0, max: 0.6, initMode: .uniform, weight: 0.3, limit: true),
        .init(name: "cd_rate", min: 0.01, max: 0.7, initMode: .fixed, initValue: 0.5, weight: 0.3, limit: true),
        .init(name: "kl_co_scale", min: 1e-6, max: 1e-4, initMode: .logUniform, weight: 0.8, limit: false),
        .init(name: "kl_ic_scale", min: 1e-6, max: 1e-3, initMode: .logUniform, weight: 0.8, limit: false),
        .init(name: "l2_gen_scale", min: 1e-4, max: 1, initMode: .logUniform, weight: 0.8, limit: false),
        .init(name: "l2_con_scale", min: 1e-4, max: 1, initMode: .logUniform, weight: 0.8, limit: false),
    ]
    /// The toy objective's space: one decay rate per coordinate of θ ∈ R² (Jaderberg et al. 2017).
    public static let toy: [HyperparameterConfig] = [
        .init(name: "h0", min: 0, max: 1, initMode: .uniform, weight: 0.3, limit: true),
        .init(name: "h1", min: 0, max: 1, initMode: .uniform, weight: 0.3, limit: true),
    ]
    public static func preset(for objective: RunConfig.Objective) -> [HyperparameterConfig] {
        objective == .toy ? toy : lfads
    }
}
