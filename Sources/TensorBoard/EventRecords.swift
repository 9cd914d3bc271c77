/// TensorBoard event files, encoded in memory (no I/O): TFRecord frames around serialized
/// `tensorflow.Event` messages. The first event carries `file_version` "brain.Event:2"; each further
/// event holds the scalar summaries of one step.
///
/// Message fields used: `Event { double wall_time = 1; int64 step = 2; string file_version = 3;
/// Summary summary = 5; }`, `Summary { repeated Value value = 1; }`,
/// `Summary.Value { string tag = 1; float simple_value = 2; }`.
public enum TensorBoardEvents {
    /// The version string TensorBoard expects in the first event of a file.
    public static let fileVersion = "brain.Event:2"

    /// One TFRecord: length (uint64 LE), masked CRC-32C of the length, data, masked CRC-32C of the data.
    public static func record(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = UInt64(data.count)
        let lengthBytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
        out += lengthBytes
        out += littleEndian(CRC32C.masked(lengthBytes))
        out += data
        out += littleEndian(CRC32C.masked(data))
        return out
    }

    static func littleEndian(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }

    /// The serialized `Event` that opens a file.
    public static func versionEvent(wallTime: Double) -> [UInt8] {
        var e = ProtobufWriter()
        e.double(1, wallTime)
        e.string(3, fileVersion)
        return e.bytes
    }

    /// A serialized `Event` with one `simple_value` per (tag, value), in the order given.
    public static func scalarEvent(step: Int, wallTime: Double, scalars: [(tag: String, value: Double)]) -> [UInt8] {
        var summary = ProtobufWriter()
        for s in scalars {
            var v = ProtobufWriter()
            v.string(1, s.tag)
            v.float(2, Float(s.value))
            summary.bytes(1, v.bytes)
        }
        var e = ProtobufWriter()
        e.double(1, wallTime)
        e.int64(2, Int64(step))
        e.bytes(5, summary.bytes)
        return e.bytes
    }

    /// A whole file: the version record, then one record per step.
    public static func file(createdAt: Double, steps: [(step: Int, wallTime: Double, scalars: [(tag: String, value: Double)])]) -> [UInt8] {
        var out = record(versionEvent(wallTime: createdAt))
        for s in steps { out += record(scalarEvent(step: s.step, wallTime: s.wallTime, scalars: s.scalars)) }
        return out
    }

    /// `events.out.tfevents.<seconds>.<host>.<pid>.<n>`, the name TensorBoard looks for (any file whose
    /// name contains `tfevents`; files of one directory are read in name order).
    public static func fileName(createdAt: Double, host: String, pid: Int32, index: Int) -> String {
        let safeHost = String(host.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        return "events.out.tfevents.\(Int(createdAt)).\(safeHost.isEmpty ? "host" : safeHost).\(pid).\(index)"
    }

    /// Whether a file name is a TensorBoard event file of index `index` written by `fileName`.
    public static func isEventFile(_ name: String, index: Int? = nil) -> Bool {
        guard name.hasPrefix("events.out.tfevents.") else { return false }
        return index.map { name.hasSuffix(".\($0)") } ?? true
    }
}
