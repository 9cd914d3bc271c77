import Foundation
import Plots

/// The dashboard's routes as a pure function of the path and a snapshot (the HTTP layer only adapts).
public enum DashboardAPI {
    /// A response body with its status and content type.
    public struct Reply: Sendable, Equatable {
        public var status: Int
        public var contentType: String
        public var body: String
    }

    static let json = "application/json; charset=utf-8"

    /// Every GET path served (`/api/plots/<name>.svg` for each plot name).
    public static let paths = ["/", "/api/run", "/api/workers", "/api/generations", "/api/decisions",
                               "/api/processes", "/api/problems", "/api/fragments", "/api/plots", "/metrics"]

    static func encode<T: Encodable>(_ value: T) -> Reply {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return Reply(status: 200, contentType: json, body: String(decoding: try e.encode(value), as: UTF8.self))
        } catch {
            return Reply(status: 500, contentType: json, body: "{\"error\":\"encoding failed\"}")
        }
    }

    /// JSON error body `{"error": message}`.
    public static func error(_ status: Int, _ message: String) -> Reply {
        var r = encode(["error": message]); r.status = status; return r
    }

    /// The reply for `path` (no query string).
    public static func reply(path: String, snapshot s: RunSnapshot) -> Reply {
        switch path {
        case "/", "/index.html": return Reply(status: 200, contentType: "text/html; charset=utf-8", body: DashboardPage.html(s))
        case "/api/run": return encode(RunSummary.overview(s))
        case "/api/workers": return encode(s.workers)
        case "/api/generations": return encode(RunSummary.generations(s))
        case "/api/decisions": return encode(s.decisions)
        case "/api/processes": return encode(s.processes)
        case "/api/problems": return encode(s.problems)
        case "/api/fragments": return encode(DashboardPage.fragments(s))
        case "/api/plots": return encode(DashboardPlots.names(s))
        case "/metrics": return Reply(status: 200, contentType: RunMetrics.contentType, body: RunMetrics.exposition(s))
        default:
            let prefix = "/api/plots/"
            if path.hasPrefix(prefix), path.hasSuffix(".svg") {
                let name = String(path.dropFirst(prefix.count).dropLast(4))
                if let svg = DashboardPlots.svg(name, snapshot: s) {
                    return Reply(status: 200, contentType: "image/svg+xml", body: svg)
                }
                return error(404, "no plot named '\(name)'; GET /api/plots lists them")
            }
            return error(404, "no route \(path); see docs/DASHBOARD.md for the API")
        }
    }
}
