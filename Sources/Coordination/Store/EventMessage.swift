import Foundation

/// Builds the small JSON messages the store attaches to its own events.
enum EventMessage {
    static func make(_ fields: [String: Any]) -> JSONDocument {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        return JSONDocument(text: String(decoding: data, as: UTF8.self))
    }
}

extension Date {
    /// Seconds since 1970, the stores' time representation.
    var storeSeconds: Double { timeIntervalSince1970 }
    init(storeSeconds: Double) { self.init(timeIntervalSince1970: storeSeconds) }
}
