/// Access control for the dashboard: loopback binds are open; any other bind needs a token,
/// given as `?token=` or `Authorization: Bearer <token>`, compared in constant time.
public enum TokenCheck {
    /// True for addresses only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
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

import Foundation
