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
                Self.closeOnExec(fid)
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
            Self.closeOnExec(fid)
            return fid
        }
    }

    deinit { close() }

    /// Marks the file's descriptor close-on-exec: a process started while the file is open (a worker,
    /// a checker) must not inherit it, or it keeps HDF5's lock and the file cannot be opened again
    /// until that process exits.
    private static func closeOnExec(_ fid: hid_t) {
        var handle: UnsafeMutableRawPointer?
        guard H5Fget_vfd_handle(fid, chdf5_p_default(), &handle) >= 0, let handle else { return }
        let fd = handle.load(as: Int32.self)
        let flags = fcntl(fd, F_GETFD)
        if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }

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

    /// Deepest group nesting `datasetNames()` descends into (LFADS files are flat, NWB files a few levels).
    public static let maxGroupDepth = 64

    /// Full paths (without the leading `/`) of every dataset, recursing into groups, sorted.
    /// Hard and soft links inside the file are followed; external links (into other files) are not,
    /// dangling soft links are skipped, and each group is listed once (a group hard-linked into
    /// itself or reached twice is not walked again). Groups nested deeper than `maxGroupDepth` throw.
    public func datasetNames() throws -> [String] {
        try linkInventory().datasets
    }

    /// `datasetNames()` plus the paths of the external links found on the way (not followed).
    public func linkInventory() throws -> (datasets: [String], externalLinks: [String]) {
        try HDF5Library.locked {
            try checkOpen(nil)
            let root = H5Gopen2(id, "/", chdf5_p_default())
            guard root >= 0 else { throw HDF5Error(path: path, key: "/", "cannot open group") }
            defer { H5Gclose(root) }
            var walk = GroupWalk()
            if let key = objectIdentity(root) { walk.visited.insert(key) }
            try collect(group: root, prefix: "", depth: 0, into: &walk)
            return (walk.datasets.sorted(), walk.external.sorted())
        }
    }

    struct ObjectIdentity: Hashable { let file: UInt; let a: UInt64, b: UInt64 }

    private struct GroupWalk {
        var datasets: [String] = [], external: [String] = []
        var visited = Set<ObjectIdentity>()
    }

    func objectIdentity(_ oid: hid_t) -> ObjectIdentity? {
        var fileno: UInt = 0
        var key: [UInt64] = [0, 0]
        guard chdf5_object_identity(oid, &fileno, &key) >= 0 else { return nil }
        return ObjectIdentity(file: fileno, a: key[0], b: key[1])
    }

    /// The name of link `index` of group `gid` in name order (nil when HDF5 cannot give it).
    static func linkName(_ gid: hid_t, at index: hsize_t) -> String? {
        let len = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, chdf5_p_default())
        guard len >= 0 else { return nil }
        var buf = [CChar](repeating: 0, count: Int(len) + 1)
        H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buf, Int(len) + 1, chdf5_p_default())
        return buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private func collect(group gid: hid_t, prefix: String, depth: Int, into walk: inout GroupWalk) throws {
        var info = H5G_info_t()
        guard H5Gget_info(gid, &info) >= 0 else { throw HDF5Error(path: path, key: prefix.isEmpty ? "/" : prefix, "cannot list group") }
        for i in 0..<info.nlinks {
            guard let name = Self.linkName(gid, at: i) else { continue }
            let full = prefix + name
            let type = chdf5_link_type(gid, name)
            if type == Int32(H5L_TYPE_EXTERNAL.rawValue) { walk.external.append(full); continue }   // never followed
            guard type == Int32(H5L_TYPE_HARD.rawValue) || type == Int32(H5L_TYPE_SOFT.rawValue) else { continue }
            let oid = H5Oopen(gid, name, chdf5_p_default())
            guard oid >= 0 else { continue }   // dangling soft link: skip
            defer { H5Oclose(oid) }
            let kind = H5Iget_type(oid)
            if kind == H5I_DATASET { walk.datasets.append(full) }
            else if kind == H5I_GROUP {
                guard let identity = objectIdentity(oid), walk.visited.insert(identity).inserted else { continue }
                guard depth < Self.maxGroupDepth else {
                    throw HDF5Error(path: path, key: String(full.prefix(200)),
                                    "groups nest more than \(Self.maxGroupDepth) levels deep; this is not an LFADS or NWB layout (damaged or crafted file?)")
                }
                try collect(group: oid, prefix: full + "/", depth: depth + 1, into: &walk)
            }
        }
    }

    /// The first component of `key` that is an external link (into another file), or nil.
    func externalLinkInPath(_ key: String) -> String? {
        var partial = ""
        for part in key.split(separator: "/") {
            partial += (partial.isEmpty ? "" : "/") + part
            if H5Lexists(id, partial, chdf5_p_default()) <= 0 { return nil }
            if chdf5_link_type(id, partial) == Int32(H5L_TYPE_EXTERNAL.rawValue) { return partial }
        }
        return nil
    }

    /// True if `key` names an existing dataset.
    public func contains(_ key: String) -> Bool {
        HDF5Library.locked {
            guard id >= 0, linkExists(key), externalLinkInPath(key) == nil else { return false }
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
