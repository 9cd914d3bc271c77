@testable import Coordination
import Testing

/// The one set of store statements, rendered for each dialect.
@Suite struct StatementsTests {
    @Test func placeholdersAreNumberedPerDialectAndBindInOrder() {
        let process = ProcessRegistration(id: "p", clientID: "c", host: "h", slot: 1, pid: 42, threads: 2)
        let lite = Statements.sqlite.registerProcess(process, now: 7.5)
        let pg = Statements.postgres.registerProcess(process, now: 7.5)
        #expect(lite.sql.contains("VALUES (?1, ?2, ?3, ?4, ?5, 'alive', ?6, ?6, ?7)"), "\(lite.sql)")
        #expect(pg.sql.contains("VALUES ($1, $2, $3, $4, $5, 'alive', $6, $6, $7)"), "\(pg.sql)")
        #expect(lite.values == [.text("p"), .text("c"), .text("h"), .int(1), .int(42), .real(7.5), .int(2)])
        #expect(pg.values == lite.values)
        #expect(!Statements.hasUnboundPlaceholder(lite.sql) && Statements.hasUnboundPlaceholder(pg.sql))
    }

    @Test func onlyPostgresLocksRowsAndOptionalFiltersBindNull() {
        let lite = Statements.sqlite.claimNext(process: "p", token: "t", leaseSeconds: 10, run: nil, now: 100)
        let pg = Statements.postgres.claimNext(process: "p", token: "t", leaseSeconds: 10, run: 3, now: 100)
        #expect(!lite.sql.contains("FOR UPDATE") && pg.sql.contains("LIMIT 1 FOR UPDATE SKIP LOCKED"))
        #expect(lite.values == [.text("p"), .text("t"), .real(10), .real(110), .real(100), .null])
        #expect(pg.values.last == .int(3))
        #expect(Statements.postgres.processStatus("p").sql.hasSuffix("FOR UPDATE"))
        #expect(!Statements.sqlite.processStatus("p").sql.contains("FOR"))
        // Event and job reads without a run or generation filter are separate statements (SQLite's index use).
        #expect(!Statements.sqlite.events(since: 0, run: nil, limit: 5).sql.contains("run_id ="))
        #expect(Statements.sqlite.events(since: 0, run: 2, limit: 5).values == [.int(2), .int(0), .int(5)])
        #expect(Statements.sqlite.jobs(run: 1, generation: nil).values == [.int(1)])
    }
}
