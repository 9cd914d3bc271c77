import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Dashboard

/// A fresh temporary directory, removed by the caller with `cleanup`.
func temporaryDirectory(_ name: String = "dash") throws -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

func cleanup(_ u: URL) { try? FileManager.default.removeItem(at: u) }

/// GET over real HTTP; returns (status, body, content type).
func httpGet(_ url: String, bearer: String? = nil) async throws -> (Int, Data, String) {
    var req = URLRequest(url: URL(string: url)!)
    if let bearer { req.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
    let (data, resp) = try await URLSession.shared.data(for: req)
    let http = resp as! HTTPURLResponse
    return (http.statusCode, data, http.value(forHTTPHeaderField: "Content-Type") ?? "")
}

func decoder() -> JSONDecoder {
    let d = JSONDecoder()
    d.dateDecodingStrategy = .iso8601
    return d
}

/// The fixture run written into a temp dir, and its snapshot with clients.
func fixture(withModel: Bool = true) throws -> (URL, RunSnapshot) {
    let dir = try temporaryDirectory("fixture").appendingPathComponent("demo-run")
    var o = FixtureRun.Options()
    o.withModel = withModel
    return (dir, try FixtureRun.write(to: dir, options: o))
}
