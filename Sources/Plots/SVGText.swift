import Foundation

/// Text helpers shared by every chart: XML escaping and deterministic number formatting.
public enum SVGText {
    /// Escapes `&`, `<`, `>`, `"` and `'` so the text is safe in XML content and attribute values.
    /// Control characters other than tab/newline (invalid in XML 1.0) are dropped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" { continue }
                if scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with two decimals, trailing zeros trimmed (`12.5`, `3`, `-0.25`). Deterministic.
    public static func coord(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let scaled = (x * 100).rounded()
        guard abs(scaled) < 1e15 else { return String(format: "%.0f", x) }
        let hundredths = Int64(scaled)
        if hundredths == 0 { return "0" }
        let a = hundredths.magnitude
        var s = hundredths < 0 ? "-" : ""
        s += String(a / 100)
        let frac = a % 100
        if frac != 0 {
            s += frac % 10 == 0 ? ".\(frac / 10)" : (frac < 10 ? ".0\(frac)" : ".\(frac)")
        }
        return s
    }

    /// A value for people: up to 4 significant digits, scientific notation for very small or large magnitudes.
    public static func number(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "–" }
        if x == 0 { return "0" }
        let a = abs(x)
        if a >= 1e5 || a < 1e-3 { return String(format: "%.3g", x) }
        var s = String(format: "%.4g", x)
        if s.contains("e") { return s }
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
}
