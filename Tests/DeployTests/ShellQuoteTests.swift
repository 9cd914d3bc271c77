import Foundation
import Testing
import TestSupport
@testable import Deploy

/// Runs `bash -c 'printf "%s\0" WORDS'` and splits on NUL: what a real shell makes of the quoted words.
func bashWords(_ line: String) async throws -> [String] {
    let r = try await TestProcess.run("/bin/bash", ["-c", "printf '%s\\0' " + line])
    #expect(r.status == 0, "\(r)")
    var words = r.stdout.components(separatedBy: "\0")
    words.removeLast()
    return words
}

@Suite struct ShellQuoteTests {
    static let hostile = [
        "plain", "with space", "it's", "\"double\"", "$(touch /tmp/autolfads-pwned)", "`id`", "a\nb\nc",
        "$HOME", "back\\slash", "semi;colon && rm -rf x", "*", "", "'", "''\"'", "tab\there", "-n", "ünïcødé", "!event",
    ]

    @Test func safeWordsStayUnquoted() {
        #expect(ShellQuote.quote("run-1_a.b/c:d=e@f") == "run-1_a.b/c:d=e@f")
        #expect(ShellQuote.quote("a b") == "'a b'")
        #expect(ShellQuote.quote("") == "''")
        #expect(ShellQuote.quote("it's") == "'it'\\''s'")
    }

    @Test func bashReadsBackEveryHostileStringExactly() async throws {
        let words = try await bashWords(ShellQuote.join(Self.hostile))
        #expect(words == Self.hostile)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/autolfads-pwned"))
    }

    @Test func eachStringIsOneWord() async throws {
        for s in Self.hostile {
            #expect(try await bashWords(ShellQuote.quote(s)) == [s], "quoting \(s.debugDescription)")
        }
    }
}
