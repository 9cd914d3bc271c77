import Foundation

/// Where `autolfads dashboard` gets its access token: `--token`, `--token-file`, `--new-token`, else
/// `AUTOLFADS_DASHBOARD_TOKEN`; nil for none (allowed on loopback binds only).
enum DashboardToken {
    struct Problem: Error, CustomStringConvertible { let description: String }

    static func resolve(option: String?, file: String?, generate: Bool,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        let given = [option != nil, file != nil, generate].filter { $0 }.count
        guard given <= 1 else { throw Problem(description: "give one of --token, --token-file and --new-token") }
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw Problem(description: "cannot read --token-file '\(file)'; check it exists and is readable")
            }
            let first = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let t = first.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !t.isEmpty else { throw Problem(description: "--token-file '\(file)' is empty; write the token on its first line") }
            return t
        }
        if generate {
            var bytes = [UInt8](repeating: 0, count: 24)
            for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
            return bytes.map { String(format: "%02x", $0) }.joined()
        }
        return option ?? environment["AUTOLFADS_DASHBOARD_TOKEN"]
    }
}
