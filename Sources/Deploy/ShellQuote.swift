/// POSIX shell quoting for strings placed in generated scripts (sbatch files, docs).
public enum ShellQuote {
    /// Characters that never need quoting in a POSIX shell word.
    private static let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,")

    /// `s` as one shell word: unchanged when it only has safe characters, otherwise wrapped in single
    /// quotes with each `'` written as `'\''`. Newlines, `$`, backticks and `\` stay literal.
    public static func quote(_ s: String) -> String {
        if !s.isEmpty && s.allSatisfy({ safe.contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// An argv as one shell command line, each element quoted.
    public static func join(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }
}
