import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Access control for the dashboard: loopback binds are open unless a token is set; any other bind needs
/// a token, given as `?token=` or `Authorization: Bearer <token>`, compared in constant time. On loopback
/// binds the `Host` header must name this machine's loopback (DNS-rebinding defence).
public enum TokenCheck {
    /// True for addresses only this machine can reach: `localhost`, any IPv4 address in 127.0.0.0/8
    /// and `::1` (also written `[::1]`, or as the IPv4-mapped `::ffff:127.x.y.z`). Parsed as addresses,
    /// so a hostname such as `127.example.com` is not loopback.
    public static func isLoopback(_ host: String) -> Bool {
        var h = host.lowercased()
        if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, h, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, h, &v6) == 1 else { return false }
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }                      // ::1
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return b[12] == 127 }   // ::ffff:127.x.y.z
        return false
    }

    /// Whether a request's `Host` header may reach a loopback-bound dashboard: `localhost` or a loopback
    /// address literal (127.0.0.0/8, `[::1]`), with an optional numeric port (any port: an SSH tunnel maps a local port onto the
    /// dashboard's). Anything else, or no header, is refused, so a page on another site whose name was
    /// re-pointed at 127.0.0.1 (DNS rebinding) cannot read the dashboard.
    public static func allowsLoopbackHost(_ header: String?) -> Bool {
        guard let header, !header.isEmpty else { return false }
        var name = Substring(header.lowercased())
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            let rest = name[name.index(after: close)...]
            guard rest.isEmpty || isPort(rest) else { return false }
            name = name[...close]
        } else if let colon = name.firstIndex(of: ":") {
            guard isPort(name[colon...]) else { return false }
            name = name[..<colon]
        }
        // A loopback address literal (127.0.0.2 for `--host 127.0.0.2`, ::1) names no DNS record, so it
        // cannot be rebound; isLoopback parses it as an address.
        return isLoopback(String(name))
    }

    /// `:` followed by 1–5 digits.
    static func isPort(_ s: Substring) -> Bool {
        s.first == ":" && (2...6).contains(s.count) && s.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Equal strings, in time that depends only on the lengths.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        let n = max(x.count, y.count)
        for i in 0..<n {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }

    /// Whether a request carrying `queryToken` / `authorization` may proceed when `expected` is required
    /// (nil expected = open).
    public static func authorized(expected: String?, queryToken: String?, authorization: String?) -> Bool {
        guard let expected else { return true }
        var presented: [String] = []
        if let queryToken { presented.append(queryToken) }
        if let authorization {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { presented.append(String(parts[1]).trimmingCharacters(in: .whitespaces)) }
        }
        var ok = false
        for p in presented { ok = constantTimeEqual(p, expected) || ok }
        return ok
    }
}
