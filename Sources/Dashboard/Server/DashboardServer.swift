import Foundation
import Hummingbird
import NIOCore
import Logging
import ServiceLifecycle

/// The live dashboard over HTTP (Hummingbird). Binds 127.0.0.1 by default; any other address needs a token.
/// On a loopback bind a token is optional (for shared login nodes, where every user can reach 127.0.0.1),
/// and requests must carry a loopback `Host` header (`TokenCheck.allowsLoopbackHost`). A connection that
/// sends nothing for `requestTimeout` seconds, or never finishes its request, is closed.
///
/// ```swift
/// let server = try DashboardServer(source: RunDirectorySource(directory: runDir), port: 8050)
/// try await server.run()            // until cancelled or `stop()`
/// ```
// @unchecked: every `var` below is read and written only while holding `lock` (NSLock; macOS 13 has no `Mutex`).
public final class DashboardServer: @unchecked Sendable {
    public let host: String
    public let requestedPort: Int
    let token: String?
    let stopOnSignals: Bool
    /// Seconds a connection may stay idle or keep a request half-sent before it is closed.
    public let requestTimeout: Double
    let cache: SnapshotCache
    private let lock = NSLock()
    private var task: Task<Void, Error>?
    private var group: ServiceGroup?
    private var boundPort: Int?
    private var failure: Error?
    private var waiters: [CheckedContinuation<Int, Error>] = []

    /// Throws when `host` is not loopback and no (non-empty) token is given.
    /// - Parameter stopOnSignals: shut down gracefully on SIGTERM/SIGINT (off when the dashboard is part
    ///   of a process that handles those signals itself, like `autolfads run`).
    public init(source: any RunSnapshotSource, host: String = "127.0.0.1", port: Int = 8050, token: String? = nil,
                cacheSeconds: Double = 1, stopOnSignals: Bool = true, requestTimeout: Double = 10) throws {
        let t = token.flatMap { $0.isEmpty ? nil : $0 }
        if !TokenCheck.isLoopback(host) && t == nil {
            throw DashboardError("binding the dashboard to \(host) needs a token; pass --token-file or set AUTOLFADS_DASHBOARD_TOKEN (or bind 127.0.0.1)")
        }
        guard requestTimeout > 0, requestTimeout.isFinite else {
            throw DashboardError("dashboard request timeout \(requestTimeout) s must be a positive number of seconds")
        }
        self.host = host; self.requestedPort = port; self.token = t; self.stopOnSignals = stopOnSignals
        self.requestTimeout = requestTimeout
        cache = SnapshotCache(source: source, maxAge: cacheSeconds)
    }

    /// Serves until SIGINT/SIGTERM, cancellation, or `stop()` (graceful: in-flight requests finish).
    public func run() async throws {
        let router = Router()
        let token = self.token, cache = self.cache, checkHost = TokenCheck.isLoopback(host)
        router.get("**") { request, _ -> Response in
            await Self.respond(request: request, token: token, checkHost: checkHost, cache: cache)
        }
        router.get("/") { request, _ -> Response in
            await Self.respond(request: request, token: token, checkHost: checkHost, cache: cache)
        }
        let idle = TimeAmount.milliseconds(Int64((requestTimeout * 1000).rounded()))
        let app = Application(router: router, server: .http1(configuration: .init(idleTimeout: idle)),
                              configuration: .init(address: .hostname(host, port: requestedPort), serverName: "autolfads-dashboard"),
                              onServerRunning: { [weak self] channel in self?.didBind(channel.localAddress?.port ?? 0) },
                              logger: Self.quietLogger())
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [],
                                 logger: Self.quietLogger())
        lock.withLock { self.group = group }
        do { try await group.run() } catch {
            let listening = lock.withLock { boundPort != nil }
            let e: Error = listening ? error
                : DashboardError("cannot serve on \(host):\(requestedPort) (\(error)); pass another --port (0 = any free port)")
            failWaiters(e); throw e
        }
        failWaiters(DashboardError("dashboard server stopped before it was listening"))
    }

    /// Starts serving in a background task and returns the bound port (useful with port 0).
    public func start() async throws -> Int {
        lock.withLock {
            if task == nil { task = Task { try await self.run() } }
        }
        return try await port()
    }

    /// The port once listening.
    public func port() async throws -> Int {
        try await withCheckedThrowingContinuation { c in
            let ready: Result<Int, Error>? = lock.withLock {
                if let p = boundPort { return .success(p) }
                if let failure { return .failure(failure) }
                waiters.append(c); return nil
            }
            if let ready { c.resume(with: ready) }
        }
    }

    /// Waits until a server started with `start()` stops (a signal, or `stop()`).
    public func wait() async throws {
        let t = lock.withLock { task }
        try await t?.value
    }

    /// Stops a server started with `start()` and waits for it to finish.
    public func stop() async {
        let (t, g): (Task<Void, Error>?, ServiceGroup?) = lock.withLock { let t = task; task = nil; return (t, group) }
        if let g { await g.triggerGracefulShutdown() } else { t?.cancel() }
        _ = try? await t?.value
    }

    private func didBind(_ port: Int) {
        let w = lock.withLock { boundPort = port; let w = waiters; waiters = []; return w }
        for c in w { c.resume(returning: port) }
    }

    private func failWaiters(_ error: Error) {
        let w = lock.withLock { () -> [CheckedContinuation<Int, Error>] in
            if boundPort == nil && failure == nil { failure = error }
            let w = waiters; waiters = []; return w
        }
        for c in w { c.resume(throwing: error) }
    }

    static func quietLogger() -> Logger {
        var l = Logger(label: "autolfads.dashboard")
        l.logLevel = .warning
        return l
    }

    static func respond(request: Request, token: String?, checkHost: Bool, cache: SnapshotCache) async -> Response {
        let query = request.uri.queryParameters.get("token")
        let auth = request.headers[.authorization]
        let reply: DashboardAPI.Reply
        if checkHost && !TokenCheck.allowsLoopbackHost(request.head.authority) {
            reply = DashboardAPI.error(403, "this dashboard serves only http://127.0.0.1 or http://localhost (Host header \(request.head.authority.map { "'\($0)'" } ?? "missing")); open it by that address")
        } else if !TokenCheck.authorized(expected: token, queryToken: query, authorization: auth) {
            reply = DashboardAPI.error(401, "missing or wrong token; pass ?token=… or Authorization: Bearer …")
        } else {
            do {
                reply = DashboardAPI.reply(path: request.uri.path, snapshot: try await cache.snapshot())
            } catch {
                reply = DashboardAPI.error(503, "cannot read the run: \(error)")
            }
        }
        var headers = HTTPFields()
        headers[.contentType] = reply.contentType
        headers[.cacheControl] = "no-store"
        if reply.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: .init(code: reply.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: reply.body)))
    }
}
