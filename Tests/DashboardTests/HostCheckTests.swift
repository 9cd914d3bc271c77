import Foundation
import Testing
@testable import Dashboard
#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection to 127.0.0.1:`port` for hand-written requests, read without blocking a thread.
final class RawConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { close(fd); throw DashboardError("connect to 127.0.0.1:\(port) failed: errno \(errno)") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }
    deinit { close(fd) }

    func send(_ text: String) { _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

    /// Reads until the peer closes (returns true) or `timeout` seconds pass (false), with what arrived.
    func readUntilClosed(timeout: Double, stopWhen done: (String) -> Bool = { _ in false }) async -> (text: String, closed: Bool) {
        var data = [UInt8](), buf = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let n = recv(fd, &buf, buf.count, 0)
            if n == 0 { return (String(decoding: data, as: UTF8.self), true) }
            if n > 0 {
                data += buf[0..<n]
                if done(String(decoding: data, as: UTF8.self)) { return (String(decoding: data, as: UTF8.self), false) }
                continue
            }
            if errno == ECONNRESET { return (String(decoding: data, as: UTF8.self), true) }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return (String(decoding: data, as: UTF8.self), false)
    }
}

/// The status code of a hand-written GET with `hostLine` (nil: no Host header).
func rawStatus(port: Int, path: String = "/api/run", hostLine: String?) async throws -> Int? {
    let c = try RawConnection(port: port)
    c.send("GET \(path) HTTP/1.1\r\n" + (hostLine.map { "Host: \($0)\r\n" } ?? "") + "Connection: close\r\n\r\n")
    let (text, _) = await c.readUntilClosed(timeout: 10)
    guard text.hasPrefix("HTTP/1.1 ") else { return nil }
    return Int(text.dropFirst(9).prefix(3))
}

@Test func onlyRealLoopbackAddressesCountAsLoopback() {
    for h in ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"] {
        #expect(TokenCheck.isLoopback(h), "\(h)")
    }
    for h in ["127.evil.com", "127.0.0.1.nip.io", "0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "localhost.example", "::2", "", "[::1"] {
        #expect(!TokenCheck.isLoopback(h), "\(h)")
    }
}

@Test func theHostHeaderMustNameTheLoopback() {
    for h in ["127.0.0.1:8050", "localhost:8050", "[::1]:8050", "127.0.0.1", "localhost", "LocalHost:9000", "[::1]",
              "127.0.0.2:8050"] {   // a dashboard bound to --host 127.0.0.2 accepts its own URL
        #expect(TokenCheck.allowsLoopbackHost(h), "\(h)")
    }
    for h in [nil, "", "evil.com", "evil.com:8050", "127.0.0.1.evil.com:8050", "127.0.0.1:80x", "127.0.0.1:", "localhost:123456",
              "[::1]x", "[::1", "10.0.0.1:8050", "0.0.0.0:8050", "::1:8050", "[127.0.0.1.evil.com]", "localhost.:8050", "attacker@127.0.0.1"] as [String?] {
        #expect(!TokenCheck.allowsLoopbackHost(h), "\(h ?? "nil")")
    }
}

@Test func aLoopbackDashboardRefusesForeignHostHeaders() async throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    let server = try DashboardServer(source: StaticSnapshotSource(snap), host: "127.0.0.1", port: 0, cacheSeconds: 0)
    let port = try await server.start()
    defer { Task { await server.stop() } }
    #expect(try await rawStatus(port: port, hostLine: "127.0.0.1:\(port)") == 200)
    #expect(try await rawStatus(port: port, hostLine: "localhost:\(port)") == 200)
    #expect(try await rawStatus(port: port, hostLine: "localhost:9999") == 200, "an SSH tunnel's local port")
    #expect(try await rawStatus(port: port, hostLine: "rebound.example.com:\(port)") == 403, "DNS rebinding")
    #expect(try await rawStatus(port: port, path: "/metrics", hostLine: "127.0.0.1.evil.com") == 403)
    #expect(try await rawStatus(port: port, hostLine: nil) == 403)
    // URLSession (a real client) sends the right header.
    #expect(try await httpGet("http://127.0.0.1:\(port)/api/run").0 == 200)
    await server.stop()
}

@Test func aHalfSentRequestIsClosedAfterTheTimeout() async throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    let server = try DashboardServer(source: StaticSnapshotSource(snap), host: "127.0.0.1", port: 0, cacheSeconds: 0, requestTimeout: 1)
    let port = try await server.start()
    defer { Task { await server.stop() } }
    let started = Date()
    let half = try RawConnection(port: port)
    half.send("GET /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")   // the head never ends
    let silent = try RawConnection(port: port)                           // sends nothing at all
    let (text, closed) = await half.readUntilClosed(timeout: 15)
    let elapsed = Date().timeIntervalSince(started)
    #expect(closed && !text.contains("200 OK"), "server kept the half-sent request open: \(text)")
    #expect(elapsed >= 0.8 && elapsed < 10, "closed after \(elapsed) s")
    #expect(await silent.readUntilClosed(timeout: 15).closed)
    // The server still answers complete requests.
    #expect(try await rawStatus(port: port, hostLine: "127.0.0.1:\(port)") == 200)
    #expect(throws: DashboardError.self) { try DashboardServer(source: StaticSnapshotSource(snap), requestTimeout: 0) }
    await server.stop()
}

@Test func aLoopbackDashboardCanRequireAToken() async throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    try await withServer(snap, host: "127.0.0.1", token: "login-node") { base in
        let without = try await httpGet(base + "/api/run").0
        let query = try await httpGet(base + "/api/run?token=login-node").0
        let bearer = try await httpGet(base + "/metrics", bearer: "login-node").0
        #expect(without == 401 && query == 200 && bearer == 200)
    }
}
