import CBLAS

/// Row-major SGEMM: C = alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n, C m×n.
/// Handles k == 0 (C = beta·C) without calling BLAS.
@inline(__always)
public func sgemm(_ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] = row[j] * beta } }
        }
        return
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                beta, c, blasint(ldc))
}

/// Thread control for the BLAS library. (The Engine's own threads are `Parallel`'s, used for data-parallel shards.)
public enum BLASThreads {
    /// Makes OpenBLAS use exactly `n` threads (n ≥ 1).
    public static func set(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
    /// The number of threads OpenBLAS uses now.
    public static var current: Int { Int(openblas_get_num_threads()) }
}
