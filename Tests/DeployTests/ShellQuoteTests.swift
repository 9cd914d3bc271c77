import Foundation
import Testing
@testable import Deploy

/// Runs `bash -c 'printf "%s\0" WORDS'` and splits on NUL: what a real shell makes of the quoted words.
func bashWords(_ line: String) throws -> [String] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = ["-c", "printf '%s\\0' " + line]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    var words = String(decoding: data, as: UTF8.self).components(separatedBy: "\0")
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

    @Test func bashReadsBackEveryHostileStringExactly() throws {
        let words = try bashWords(ShellQuote.join(Self.hostile))
        #expect(words == Self.hostile)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/autolfads-pwned"))
    }

    @Test func eachStringIsOneWord() throws {
        for s in Self.hostile {
            #expect(try bashWords(ShellQuote.quote(s)) == [s], "quoting \(s.debugDescription)")
        }
    }
}
