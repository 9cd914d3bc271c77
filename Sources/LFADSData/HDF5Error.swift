import FileSystem
/// A data file could not be read, written or validated. `message` is one line naming the
/// file, the key and the problem (and usually the fix).
public struct DataFileError: Error, CustomStringConvertible, Equatable, Sendable, FileSystemErrorWrapping {
    public let path: String
    public let key: String?
    public let problem: String
    /// The file-layer failure behind a failed write (its `errno` tells a full disk), if any.
    public var fileSystemError: FileSystemError? = nil
    public init(path: String, key: String? = nil, _ problem: String) {
        self.path = path; self.key = key; self.problem = problem
    }
    public var message: String {
        if let key { return "\(path): key '\(key)': \(problem)" }
        return "\(path): \(problem)"
    }
    public var description: String { message }
}

/// Errors from the HDF5 wrapper are data-file errors.
public typealias HDF5Error = DataFileError


/// Element types the wrapper reads and writes.
public enum HDF5DType: String, Sendable, CaseIterable {
    case int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, string

    /// True for the integer types.
    public var isInteger: Bool { self != .float32 && self != .float64 && self != .string }
    public var isNumeric: Bool { self != .string }
}

/// A numeric N-D dataset read into memory: values in Double (exact for every integer type up
/// to 2^53), the shape (row-major, empty for a scalar) and the dtype found in the file.
public struct HDF5Array: Equatable, Sendable {
    public var shape: [Int]
    public var dtype: HDF5DType
    public var values: [Double]
    public init(shape: [Int], dtype: HDF5DType, values: [Double]) {
        self.shape = shape; self.dtype = dtype; self.values = values
    }
}

extension DataFileError {
    /// Writes `path` atomically with the file layer (`AtomicFile.write(to:createDirectories:_:)`, the
    /// directory must exist): its failures become data-file errors naming `path` that keep the errno.
    static func writingAtomically<T>(_ path: String, _ body: (String) throws -> T) throws -> T {
        do { return try AtomicFile.write(to: path, createDirectories: false, body) } catch let e as FileSystemError {
            var d = DataFileError(path: path, e.isMissingDirectory ? e.description : "\(e.operation) failed: \(e.reason)")
            d.fileSystemError = e
            throw d
        }
    }
}
