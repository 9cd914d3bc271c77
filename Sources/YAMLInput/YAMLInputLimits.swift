import Yams

/// Limits on YAML config text (`run.yaml`, model configs), checked before and after Yams parses it.
///
/// Yams' composer recurses once per nesting level (200 000 nested `[` overflow the stack) and an
/// alias (`*name`) stands for a whole earlier node, so a few lines of anchors and aliases ("billion
/// laughs") expand to more nodes than memory holds. `problem(in:)` scans the raw text first: its size,
/// the number of anchors and aliases, and the nesting depth (flow `[`/`{` plus block indentation
/// levels). `expansionProblem(of:)` then walks the composed tree with a node budget, so an alias bomb
/// is refused after visiting at most `maxNodes` nodes. Real configs are a few KiB, a few levels deep,
/// and use few or no aliases; every limit is far above them.
public enum YAMLInputLimits {
    /// Largest config text accepted, in bytes (1 MiB).
    public static let maxBytes = 1 << 20
    /// Most aliases (`*name`) in one text.
    public static let maxAliases = 64
    /// Most anchors (`&name`) in one text.
    public static let maxAnchors = 64
    /// Deepest nesting of collections (block levels plus flow brackets), also after alias expansion.
    public static let maxDepth = 64
    /// Most nodes (scalars, lists, mappings) after alias expansion.
    public static let maxNodes = 100_000
    /// Most bytes of scalar text after alias expansion.
    public static let maxScalarBytes = 4 << 20

    /// The first limit `text` exceeds, as a phrase for a one-line error (the caller names the file);
    /// nil when the text is within every limit. Runs in one pass over the bytes, before any parsing.
    public static func problem(in text: String) -> String? {
        let size = text.utf8.count
        if size > maxBytes {
            return "the YAML text is \(size) bytes; the limit is \(maxBytes) bytes (1 MiB): a config is a few KiB, check that this is the right file"
        }
        var scan = Scanner(Array(text.utf8))
        return scan.run()
    }

    /// The first limit the composed tree exceeds once aliases are expanded (nodes, scalar bytes,
    /// depth); nil when within every limit. Visits at most `maxNodes` nodes.
    public static func expansionProblem(of root: Node) -> String? {
        var nodes = 0, bytes = 0
        func walk(_ n: Node, _ depth: Int) -> String? {
            nodes += 1
            if nodes > maxNodes {
                return "the YAML expands to more than \(maxNodes) values (counting each use of an alias); the limit is \(maxNodes): a config needs far fewer, so check its aliases (*name) and lists"
            }
            if depth > maxDepth {
                return "the YAML nests (through its aliases) more than \(maxDepth) levels deep; the limit is \(maxDepth): flatten the config"
            }
            switch n {
            case .scalar(let s):
                bytes += s.string.utf8.count
                if bytes > maxScalarBytes {
                    return "the YAML expands to more than \(maxScalarBytes) bytes of text (counting each use of an alias); the limit is \(maxScalarBytes): check its aliases (*name)"
                }
            case .sequence(let seq):
                for item in seq { if let p = walk(item, depth + 1) { return p } }
            case .mapping(let map):
                for (k, v) in map {
                    if let p = walk(k, depth + 1) { return p }
                    if let p = walk(v, depth + 1) { return p }
                }
            }
            return nil
        }
        return walk(root, 0)
    }

    /// One pass over the raw bytes. Deliberately conservative: where it cannot tell what YAML means
    /// it counts more depth or more aliases, never fewer (a quoted string ends, for this scan, at the
    /// end of its line; a quote opens one only where a YAML node can start).
    struct Scanner {
        let b: [UInt8]
        var flow = 0, aliases = 0, anchors = 0
        /// Block indentation columns currently open (outside flow collections).
        var indents: [Int] = []
        /// A block scalar (`|`, `>`) whose content lines are skipped: the column they must exceed,
        /// and their indentation once the first one is seen.
        var blockScalar: (parent: Int, content: Int?)?
        /// True where a new YAML node may start (so a quote opens a quoted scalar).
        var tokenStart = true

        init(_ bytes: [UInt8]) { b = bytes }

        static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), cr = UInt8(ascii: "\r"), newline = UInt8(ascii: "\n")

        static func isBlank(_ c: UInt8) -> Bool { c == space || c == tab || c == cr }

        mutating func run() -> String? {
            var i = 0, line = 1
            while i < b.count {
                var end = i
                while end < b.count && b[end] != Self.newline { end += 1 }
                if let p = scanLine(from: i, to: end, line: line) { return p }
                i = end + 1
                line += 1
            }
            return nil
        }

        func depth(_ leading: Int) -> Int { 2 * indents.count + leading + flow }

        func tooDeep(_ line: Int) -> String {
            "the YAML nests more than \(YAMLInputLimits.maxDepth) levels deep (line \(line)); the limit is \(YAMLInputLimits.maxDepth): flatten the config"
        }

        mutating func scanLine(from start: Int, to end: Int, line: Int) -> String? {
            var i = start
            while i < end && b[i] == Self.space { i += 1 }
            let indent = i - start
            var onlySpace = true
            for k in i..<end where !Self.isBlank(b[k]) { onlySpace = false; break }
            if let bs = blockScalar {
                if onlySpace { return nil }
                if let c = bs.content, indent >= c { return nil }
                if bs.content == nil, indent > bs.parent { blockScalar = (bs.parent, indent); return nil }
                blockScalar = nil
            }
            if onlySpace || b[i] == UInt8(ascii: "#") { return nil }
            if flow == 0 {
                while let last = indents.last, last > indent { indents.removeLast() }
                if indents.last != indent { indents.append(indent) }
                tokenStart = true
            }
            var leading = 0
            var firstTokenColumn: Int?
            var quote: UInt8?
            var j = i
            if depth(0) > YAMLInputLimits.maxDepth { return tooDeep(line) }
            while j < end {
                let c = b[j]
                if let q = quote {
                    if q == UInt8(ascii: "\"") && c == UInt8(ascii: "\\") { j += 2; continue }
                    if c == q {
                        if q == UInt8(ascii: "'") && j + 1 < end && b[j + 1] == q { j += 2; continue }
                        quote = nil
                    }
                    j += 1
                    continue
                }
                let nextBlank = j + 1 >= end || Self.isBlank(b[j + 1])
                let prev: UInt8? = j > i ? b[j - 1] : nil
                let afterSeparator = prev.map { Self.isBlank($0) || "[{,:-?".utf8.contains($0) } ?? true
                switch c {
                case Self.space, Self.tab, Self.cr:
                    break
                case UInt8(ascii: "#") where prev.map(Self.isBlank) ?? true:
                    j = end   // a comment runs to the end of the line
                    continue
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    flow += 1
                    tokenStart = true
                    if depth(leading) > YAMLInputLimits.maxDepth { return tooDeep(line) }
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    flow = max(0, flow - 1)
                    tokenStart = false
                case UInt8(ascii: ","):
                    tokenStart = flow > 0
                case UInt8(ascii: ":") where nextBlank:
                    tokenStart = true
                case UInt8(ascii: "-") where nextBlank && tokenStart && flow == 0,
                     UInt8(ascii: "?") where nextBlank && tokenStart:
                    leading += 1   // a block sequence entry or a complex key: one more level
                    if depth(leading) > YAMLInputLimits.maxDepth { return tooDeep(line) }
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    if tokenStart { quote = c }
                    tokenStart = false
                case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"):
                    if afterSeparator && c == UInt8(ascii: "&") { anchors += 1 }
                    if afterSeparator && c == UInt8(ascii: "*") { aliases += 1 }
                    if aliases > YAMLInputLimits.maxAliases {
                        return "the YAML uses more than \(YAMLInputLimits.maxAliases) aliases (*name, line \(line)); the limit is \(YAMLInputLimits.maxAliases): write the values out"
                    }
                    if anchors > YAMLInputLimits.maxAnchors {
                        return "the YAML defines more than \(YAMLInputLimits.maxAnchors) anchors (&name, line \(line)); the limit is \(YAMLInputLimits.maxAnchors): write the values out"
                    }
                    // An anchor or tag precedes a node (which may be quoted); an alias is a node.
                    let property = c != UInt8(ascii: "*") && tokenStart
                    while j + 1 < end, !Self.isBlank(b[j + 1]), !",[]{}".utf8.contains(b[j + 1]) { j += 1 }
                    tokenStart = property
                case UInt8(ascii: "|") where tokenStart && flow == 0, UInt8(ascii: ">") where tokenStart && flow == 0:
                    // A block scalar: its content is the following lines indented past its parent.
                    blockScalar = (firstTokenColumn ?? (j - start), nil)
                    return nil
                default:
                    if tokenStart && firstTokenColumn == nil { firstTokenColumn = j - start }
                    tokenStart = false
                }
                j += 1
            }
            if quote != nil { tokenStart = false }
            return nil
        }
    }
}
