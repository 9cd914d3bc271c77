import Foundation
import CHDF5

/// An open HDF5 file. All access is serialised through one process-wide lock (serial HDF5 is
/// not thread safe); every handle opened internally is closed before a method returns, and the
/// file itself on `close()` or deinit. Keys are paths like `train_data` or `group/name`.
public final class HDF5File {
    /// How to open the file.
    public enum Mode: Sendable {
        /// Existing file, reading only.
        case readOnly
        /// Existing file, reading and writing.
        case readWrite
        /// New file; an existing one is truncated.
        case create
    }

    public let path: String
    public let mode: Mode
    var id: hid_t

    /// Opens (or creates) `path`. Throws `HDF5Error` for a missing, non-HDF5 or corrupt file.
    public init(path: String, mode: Mode = .readOnly) throws {
        self.path = path
        self.mode = mode
        id = try HDF5Library.locked {
            if mode == .create {
                let fid = H5Fcreate(path, chdf5_acc_trunc(), chdf5_p_default(), chdf5_p_default())
                guard fid >= 0 else { throw HDF5Error(path: path, "cannot create the file (check the directory exists and is writable)") }
                return fid
            }
            guard FileManager.default.fileExists(atPath: path) else {
                throw HDF5Error(path: path, "file not found; check the path")
            }
            guard H5Fis_hdf5(path) > 0 else {
                throw HDF5Error(path: path, "not an HDF5 file (or unreadable); pass an .h5 file")
            }
            let fid = H5Fopen(path, mode == .readOnly ? chdf5_acc_rdonly() : chdf5_acc_rdwr(), chdf5_p_default())
            guard fid >= 0 else {
                throw HDF5Error(path: path, "cannot open the HDF5 file (truncated, corrupt or locked); regenerate or copy it again")
            }
            return fid
        }
    }

    deinit { close() }

    /// Flushes and closes the file; further calls are errors. Idempotent.
    public func close() {
        HDF5Library.locked {
            if id >= 0 { H5Fclose(id); id = -1 }
        }
    }

    /// Flushes buffered writes to the operating system.
    public func flush() throws {
        try HDF5Library.locked {
            try checkOpen(nil)
            guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw HDF5Error(path: path, "flush failed") }
        }
    }

    func checkOpen(_ key: String?) throws {
        if id < 0 { throw HDF5Error(path: path, key: key, "file is closed") }
    }

    /// Number of HDF5 objects (datasets, groups, types, attributes) this file still has open;
    /// 1 (the file itself) when nothing leaks.
    public var openObjectCount: Int {
        HDF5Library.locked { id < 0 ? 0 : Int(H5Fget_obj_count(id, chdf5_obj_all())) }
    }

    /// Full paths (without the leading `/`) of every dataset, recursing into groups, sorted.
    public func datasetNames() throws -> [String] {
        try HDF5Library.locked {
            try checkOpen(nil)
            var out: [String] = []
            try collect(group: "/", prefix: "", into: &out)
            return out.sorted()
        }
    }

    private func collect(group: String, prefix: String, into out: inout [String]) throws {
        let gid = H5Gopen2(id, group, chdf5_p_default())
        guard gid >= 0 else { throw HDF5Error(path: path, key: group, "cannot open group") }
        defer { H5Gclose(gid) }
        var info = H5G_info_t()
        guard H5Gget_info(gid, &info) >= 0 else { throw HDF5Error(path: path, key: group, "cannot list group") }
        for i in 0..<info.nlinks {
            let len = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, chdf5_p_default())
            guard len >= 0 else { continue }
            var buf = [CChar](repeating: 0, count: Int(len) + 1)
            H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buf, Int(len) + 1, chdf5_p_default())
            let name = String(cString: buf)
            let full = prefix + name
            let oid = H5Oopen(id, "/" + full, chdf5_p_default())
            guard oid >= 0 else { continue }   // dangling soft/external link: skip
            let kind = H5Iget_type(oid)
            H5Oclose(oid)
            if kind == H5I_DATASET { out.append(full) }
            else if kind == H5I_GROUP { try collect(group: "/" + full, prefix: full + "/", into: &out) }
        }
    }

    /// True if `key` names an existing dataset.
    public func contains(_ key: String) -> Bool {
        HDF5Library.locked {
            guard id >= 0, linkExists(key) else { return false }
            let oid = H5Oopen(id, key, chdf5_p_default())
            guard oid >= 0 else { return false }
            defer { H5Oclose(oid) }
            return H5Iget_type(oid) == H5I_DATASET
        }
    }

    /// True if every path component of `key` exists as a link.
    func linkExists(_ key: String) -> Bool {
        var partial = ""
        for part in key.split(separator: "/") {
            partial += (partial.isEmpty ? "" : "/") + part
            if H5Lexists(id, partial, chdf5_p_default()) <= 0 { return false }
        }
        return !partial.isEmpty
    }
}
