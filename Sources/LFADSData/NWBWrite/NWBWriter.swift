/// The required parts of an NWB 2.x file's root (`NWBFile`). Dates are ISO 8601 strings
/// (e.g. `2020-01-01T00:00:00+00:00`).
public struct NWBFileHeader: Sendable, Equatable {
    public var identifier: String
    public var sessionDescription: String
    public var sessionStartTime: String
    public var timestampsReferenceTime: String
    public var fileCreateDates: [String]
    /// The NWB schema version the file follows (pynwb 2.8 ships 2.7.0).
    public var nwbVersion = "2.7.0"
    public init(identifier: String, sessionDescription: String, sessionStartTime: String,
                timestampsReferenceTime: String? = nil, fileCreateDates: [String]? = nil) {
        self.identifier = identifier
        self.sessionDescription = sessionDescription
        self.sessionStartTime = sessionStartTime
        self.timestampsReferenceTime = timestampsReferenceTime ?? sessionStartTime
        self.fileCreateDates = fileCreateDates ?? [sessionStartTime]
    }
}

/// One column of an NWB `DynamicTable` (hdmf-common `VectorData`), optionally ragged.
public struct NWBColumn: Sendable {
    public enum Values: Sendable {
        case doubles([Double])
        case ints([Int])
        case bools([Bool])
        case strings([String])
        var count: Int {
            switch self {
            case .doubles(let v): return v.count
            case .ints(let v): return v.count
            case .bools(let v): return v.count
            case .strings(let v): return v.count
            }
        }
    }
    public var name: String
    public var description: String
    public var values: Values
    /// Trailing dimensions of each element (`[2]` for `obs_intervals`' start|end pairs).
    public var elementShape: [Int]
    /// Ragged columns: the end offset (in elements) of each row's slice; written as
    /// `<name>_index` (`VectorIndex`) whose `target` references the data.
    public var rowEnds: [Int]?
    /// Extra scalar float64 attributes on the data (e.g. `resolution` of `spike_times`).
    public var doubleAttributes: [String: Double]
    public var gzip: Int?
    public init(name: String, description: String, values: Values, elementShape: [Int] = [], rowEnds: [Int]? = nil,
                doubleAttributes: [String: Double] = [:], gzip: Int? = nil) {
        self.name = name; self.description = description; self.values = values
        self.elementShape = elementShape; self.rowEnds = rowEnds
        self.doubleAttributes = doubleAttributes; self.gzip = gzip
    }
}

/// An NWB `DynamicTable` (or subtype: `Units`, `TimeIntervals`).
public struct NWBTable: Sendable {
    public var neurodataType: String
    public var namespace: String
    public var description: String
    public var ids: [Int]
    public var columns: [NWBColumn]
    public init(neurodataType: String, namespace: String = "core", description: String, ids: [Int], columns: [NWBColumn]) {
        self.neurodataType = neurodataType; self.namespace = namespace
        self.description = description; self.ids = ids; self.columns = columns
    }
}

/// An NWB `TimeSeries`: float32 data (time first) with timestamps or a regular rate.
public struct NWBTimeSeries: Sendable {
    public enum Timing: Sendable {
        /// One time (seconds) per sample.
        case timestamps([Double])
        /// `starting_time` (seconds) and sampling `rate` (Hz).
        case regular(start: Double, rate: Double)
    }
    public var description: String
    public var comments: String
    public var unit: String
    public var data: [Float]
    public var shape: [Int]
    public var timing: Timing
    public var conversion = 1.0
    public var resolution = -1.0
    public var offset = 0.0
    public var gzip: Int?
    public init(description: String, comments: String = "no comments", unit: String, data: [Float], shape: [Int],
                timing: Timing, gzip: Int? = nil) {
        self.description = description; self.comments = comments; self.unit = unit
        self.data = data; self.shape = shape; self.timing = timing; self.gzip = gzip
    }
}

/// Writes NWB 2.x structures (core and hdmf-common types, as pynwb/hdmf lay them out in HDF5)
/// into an open `HDF5File`. Object ids are UUIDs drawn from a seeded generator, so the same
/// `idSeed` and the same calls give the same file. No cached `specifications` group is
/// written: pynwb reads such files with the namespace it ships.
public struct NWBWriter {
    public let file: HDF5File
    private var idRandom: SeededRandom

    public init(file: HDF5File, idSeed: UInt64) {
        self.file = file
        idRandom = SeededRandom(seed: idSeed)
    }

    /// A random (version 4) UUID string from the seeded generator.
    public mutating func uuid() -> String { NWBWriter.uuid(&idRandom) }

    /// A version 4 UUID string from `rng`.
    public static func uuid(_ rng: inout SeededRandom) -> String {
        let hi = (rng.next() & ~0xF000) | 0x4000                        // version 4
        let lo = (rng.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000   // variant 10
        func hex(_ v: UInt64, _ digits: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, digits - s.count)) + s
        }
        return "\(hex(hi >> 32, 8))-\(hex((hi >> 16) & 0xFFFF, 4))-\(hex(hi & 0xFFFF, 4))-"
            + "\(hex(lo >> 48, 4))-\(hex(lo & 0xFFFF_FFFF_FFFF, 12))"
    }

    /// Root attributes, required datasets and the required (empty) groups of an `NWBFile`.
    public mutating func writeHeader(_ h: NWBFileHeader) throws {
        try tag("/", type: "NWBFile", namespace: "core")
        try file.writeStringAttribute("nwb_version", h.nwbVersion)
        try file.writeStrings("file_create_date", h.fileCreateDates)
        try file.writeString("identifier", h.identifier)
        try file.writeString("session_description", h.sessionDescription)
        try file.writeString("session_start_time", h.sessionStartTime)
        try file.writeString("timestamps_reference_time", h.timestampsReferenceTime)
        for group in ["acquisition", "analysis", "processing", "stimulus/presentation", "stimulus/templates",
                      "general", "intervals"] {
            try file.createGroup(group)
        }
    }

    /// A `ProcessingModule` group `processing/<name>`.
    public mutating func writeProcessingModule(_ name: String, description: String) throws {
        let path = "processing/" + name
        try file.createGroup(path)
        try file.writeStringAttribute("description", description, on: path)
        try tag(path, type: "ProcessingModule", namespace: "core")
    }

    /// A `DynamicTable` (subtype `table.neurodataType`) at `path`: `id`, each column's
    /// `VectorData` (and `VectorIndex` for ragged ones), `colnames` in column order.
    public mutating func writeTable(_ table: NWBTable, at path: String) throws {
        let rows = table.ids.count
        try file.createGroup(path)
        try file.writeStringAttribute("description", table.description, on: path)
        try file.writeStringArrayAttribute("colnames", table.columns.map(\.name), on: path)
        try tag(path, type: table.neurodataType, namespace: table.namespace)
        try file.write(path + "/id", ints: table.ids, shape: [rows])
        try tag(path + "/id", type: "ElementIdentifiers", namespace: "hdmf-common")
        for column in table.columns {
            try writeColumn(column, rows: rows, table: path)
        }
    }

    /// A `TimeSeries` group at `path` (e.g. `processing/behavior/hand_vel`).
    public mutating func writeTimeSeries(_ ts: NWBTimeSeries, at path: String) throws {
        guard let samples = ts.shape.first, ts.shape.allSatisfy({ $0 >= 0 }) else {
            throw HDF5Error(path: file.path, key: path, "a TimeSeries needs a time axis (shape \(ts.shape))")
        }
        try file.createGroup(path)
        try file.writeStringAttribute("description", ts.description, on: path)
        try file.writeStringAttribute("comments", ts.comments, on: path)
        try tag(path, type: "TimeSeries", namespace: "core")
        let data = path + "/data"
        try file.write(data, floats: ts.data, shape: ts.shape, gzip: ts.gzip)
        try file.writeAttribute("conversion", double: ts.conversion, on: data)
        try file.writeAttribute("offset", double: ts.offset, on: data)
        try file.writeAttribute("resolution", double: ts.resolution, on: data)
        try file.writeStringAttribute("unit", ts.unit, on: data)
        switch ts.timing {
        case .timestamps(let times):
            guard times.count == samples else {
                throw HDF5Error(path: file.path, key: path, "\(times.count) timestamps for \(samples) samples")
            }
            let key = path + "/timestamps"
            try file.write(key, doubles: times, shape: [samples], gzip: ts.gzip)
            try file.writeAttribute("interval", int: 1, on: key)
            try file.writeStringAttribute("unit", "seconds", on: key)
        case .regular(let start, let rate):
            guard rate > 0, rate.isFinite else { throw HDF5Error(path: file.path, key: path, "sampling rate \(rate) must be positive") }
            let key = path + "/starting_time"
            try file.writeScalar(key, start)
            try file.writeAttribute("rate", double: rate, on: key)
            try file.writeStringAttribute("unit", "seconds", on: key)
        }
    }

    // MARK: - internals

    private mutating func writeColumn(_ c: NWBColumn, rows: Int, table: String) throws {
        let key = table + "/" + c.name
        let perElement = c.elementShape.reduce(1, *)
        guard perElement > 0, c.values.count % perElement == 0 else {
            throw HDF5Error(path: file.path, key: key, "\(c.values.count) values do not fill elements of shape \(c.elementShape)")
        }
        let elements = c.values.count / perElement
        if let ends = c.rowEnds {
            guard ends.count == rows, zip([0] + ends, ends).allSatisfy({ $0 <= $1 }), ends.last ?? 0 == elements else {
                throw HDF5Error(path: file.path, key: key, "row ends must be \(rows) non-decreasing offsets ending at \(elements)")
            }
        } else if elements != rows {
            throw HDF5Error(path: file.path, key: key, "\(elements) elements for a table of \(rows) rows")
        }
        let shape = [elements] + c.elementShape
        switch c.values {
        case .doubles(let v): try file.write(key, doubles: v, shape: shape, gzip: c.gzip)
        case .ints(let v): try file.write(key, ints: v, shape: shape, gzip: c.gzip)
        case .bools(let v):
            guard c.elementShape.isEmpty else { throw HDF5Error(path: file.path, key: key, "boolean columns are 1-D") }
            try file.writeBools(key, v)
        case .strings(let v):
            guard c.elementShape.isEmpty else { throw HDF5Error(path: file.path, key: key, "string columns are 1-D") }
            try file.writeStrings(key, v)
        }
        try file.writeStringAttribute("description", c.description, on: key)
        for (name, value) in c.doubleAttributes.sorted(by: { $0.key < $1.key }) {
            try file.writeAttribute(name, double: value, on: key)
        }
        try tag(key, type: "VectorData", namespace: "hdmf-common")
        guard let ends = c.rowEnds else { return }
        let indexKey = key + "_index"
        let maxEnd = ends.last ?? 0
        let bits = maxEnd <= Int(UInt8.max) ? 8 : maxEnd <= Int(UInt16.max) ? 16 : maxEnd <= Int(UInt32.max) ? 32 : 64
        try file.writeUnsigned(indexKey, ends, shape: [rows], bits: bits)
        try file.writeStringAttribute("description", "Index for VectorData '\(c.name)'", on: indexKey)
        try tag(indexKey, type: "VectorIndex", namespace: "hdmf-common")
        try file.writeObjectReferenceAttribute("target", to: "/" + key, on: indexKey)
    }

    /// `namespace`, `neurodata_type` and a fresh `object_id` on `path`.
    private mutating func tag(_ path: String, type: String, namespace: String) throws {
        try file.writeStringAttribute("namespace", namespace, on: path)
        try file.writeStringAttribute("neurodata_type", type, on: path)
        try file.writeStringAttribute("object_id", uuid(), on: path)
    }
}
