extension SearchSpace {
    /// The lfads-torch `run_pbt` NLB search space (its NLB configuration's first column), named by the
    /// LFADS config keys they set: lr_init fixed 4e-3 in [1e-5, 5e-3] (p 0.3, limited), dropout U(0, 0.6) (p 0.3, limited),
    /// cd_rate fixed 0.5 in [0.01, 0.7] (p 0.3, limited), kl_co logU 1e-6–1e-4, kl_ic logU 1e-6–1e-3,
    /// l2_gen and l2_con logU 1e-4–1 (p 0.8, not limited: may leave the range, lower bound 0).
    /// Linear perturbation, as in lfads-torch.
    public static var lfadsTorchNLB: SearchSpace {
        SearchSpace([
            HyperparameterSpec(name: "lr_init", min: 1e-5, max: 5e-3, initMode: .fixed(4e-3),
                               perturbation: 0.3, limit: true),
            HyperparameterSpec(name: "dropout_rate", min: 0, max: 0.6, initMode: .uniform,
                               perturbation: 0.3, limit: true),
            HyperparameterSpec(name: "cd_rate", min: 0.01, max: 0.7, initMode: .fixed(0.5),
                               perturbation: 0.3, limit: true),
            HyperparameterSpec(name: "kl_co_scale", min: 1e-6, max: 1e-4, initMode: .logUniform,
                               perturbation: 0.8, limit: false),
            HyperparameterSpec(name: "kl_ic_scale", min: 1e-6, max: 1e-3, initMode: .logUniform,
                               perturbation: 0.8, limit: false),
            HyperparameterSpec(name: "l2_gen_scale", min: 1e-4, max: 1, initMode: .logUniform,
                               perturbation: 0.8, limit: false),
            HyperparameterSpec(name: "l2_con_scale", min: 1e-4, max: 1, initMode: .logUniform,
                               perturbation: 0.8, limit: false),
        ])
    }

    /// The autolfads-tf2 `run_pbt` space: as `lfadsTorchNLB` but kl_ic logU 1e-5–1e-3 and
    /// unbiased log-space perturbation for every HP.
    public static var autolfadsTF2: SearchSpace {
        var s = lfadsTorchNLB
        for i in s.hyperparameters.indices {
            s.hyperparameters[i].perturbationSpace = .log
            if s.hyperparameters[i].name == "kl_ic_scale" { s.hyperparameters[i].min = 1e-5 }
        }
        return s
    }
}
