import Foundation
import Plots

/// The report's "Load these outputs" section: copy-paste h5py and MATLAB (`h5read`) code for the
/// final model's output file, with its real path and dataset names.
enum LoadSnippet {
    /// Dataset names shown in the snippet: rates and factors of the file's split, then the rest of
    /// the per-split outputs present.
    static func shownKeys(_ m: ModelOutputs) -> [String] {
        shapes.map { "\(m.split)_\($0.name)" }.filter(m.keys.contains)
    }

    /// Per-split outputs shown, with their axes as h5py reads them (row-major).
    static let shapes: [(name: String, axes: [String])] = [
        ("output_params", ["trials", "time", "neurons"]), ("factors", ["trials", "time", "fac_dim"]),
        ("ic_mean", ["trials", "ic_dim"]), ("co_means", ["trials", "time", "co_dim"]), ("gen_states", ["trials", "time", "gen_dim"]),
    ]

    static func axes(_ key: String, split: String, reversed: Bool) -> String {
        let name = key.hasPrefix(split + "_") ? String(key.dropFirst(split.count + 1)) : key
        let a = shapes.first { $0.name == name }?.axes ?? []
        return (reversed ? a.reversed() : a).joined(separator: " × ")
    }

    static func variable(_ key: String, split: String) -> String {
        let base = key.hasPrefix(split + "_") ? String(key.dropFirst(split.count + 1)) : key
        return base == "output_params" ? "rates" : base
    }

    static func python(_ m: ModelOutputs) -> String {
        var lines = ["import h5py", "", "with h5py.File(\(quoted(m.file, quote: "\"")), \"r\") as f:"]
        for key in shownKeys(m) {
            lines.append("    \(variable(key, split: m.split)) = f[\"\(key)\"][()]   # \(axes(key, split: m.split, reversed: false))")
        }
        lines.append("    print(list(f.keys()))   # every dataset in the file")
        return lines.joined(separator: "\n")
    }

    static func matlab(_ m: ModelOutputs) -> String {
        var lines = ["file = \(quoted(m.file, quote: "'"));"]
        for key in shownKeys(m) {
            lines.append("\(variable(key, split: m.split)) = h5read(file, '/\(key)');   % \(axes(key, split: m.split, reversed: true))")
        }
        lines.append("h5disp(file)   % every dataset in the file (MATLAB lists the axes in reverse order)")
        return lines.joined(separator: "\n")
    }

    /// A string literal; the quote character doubled (MATLAB) or backslash-escaped (Python).
    static func quoted(_ s: String, quote: Character) -> String {
        let q = String(quote)
        let escaped = quote == "'" ? s.replacingOccurrences(of: q, with: q + q)
            : s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: q, with: "\\" + q)
        return q + escaped + q
    }

    static func html(_ m: ModelOutputs) -> String {
        let h = SVGText.escape
        return "<h2>Load these outputs</h2><p>The final model's outputs, \(h((m.file as NSString).lastPathComponent)) "
            + "(the last line of each snippet lists every dataset in it):</p>"
            + "<p>Python (h5py)</p><pre id=\"load-python\"><code>\(h(python(m)))</code></pre>"
            + "<p>MATLAB</p><pre id=\"load-matlab\"><code>\(h(matlab(m)))</code></pre>"
    }
}
