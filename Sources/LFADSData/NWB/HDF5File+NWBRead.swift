import Foundation
import CHDF5

/// Readers the NWB layout needs beyond `HDF5File+Read`: group listings, boolean (h5py stores
/// `bool` as an int8 enum {FALSE, TRUE}) and string-array datasets, numeric attributes, and a
/// size check that refuses to allocate for a dataset the file cannot hold.
extension HDF5File {
    /// What a dataset holds, as far as NWB reading cares.
    enum NWBStorageClass: Equatable {
        case integer, float, enumeration, string, other
    }

    /// Names of the groups and datasets directly inside `group`, sorted; links that do not
    /// resolve (dangling soft or external links) are skipped.
    func nwbReadChildren(of group: String) throws -> (groups: [String], datasets: [String]) {
        try HDF5Library.locked {
            try checkOpen(group)
            guard group == "/" || linkExists(group) else { return ([], []) }
            let gid = H5Gopen2(id, group, chdf5_p_default())
            guard gid >= 0 else { return ([], []) }
            defer { H5Gclose(gid) }
            var info = H5G_info_t()
            guard H5Gget_info(gid, &info) >= 0 else { throw HDF5Error(path: path, key: group, "cannot list the group") }
            var groups: [String] = [], datasets: [String] = []
            for i in 0..<info.nlinks {
                guard let name = HDF5File.linkName(gid, at: i) else { continue }
                // External links (into other files) are never followed, as in `datasetNames()`.
                guard chdf5_link_type(gid, name) != Int32(H5L_TYPE_EXTERNAL.rawValue) else { continue }
                let oid = H5Oopen(gid, name, chdf5_p_default())
                guard oid >= 0 else { continue }
                let kind = H5Iget_type(oid)
                H5Oclose(oid)
                if kind == H5I_GROUP { groups.append(name) } else if kind == H5I_DATASET { datasets.append(name) }
            }
            return (groups.sorted(), datasets.sorted())
        }
    }

    /// True if `path` names an existing group.
    func nwbReadIsGroup(_ path: String) -> Bool {
        HDF5Library.locked {
            guard id >= 0, path == "/" || (linkExists(path) && externalLinkInPath(path) == nil) else { return false }
            let oid = H5Oopen(id, path, chdf5_p_default())
            guard oid >= 0 else { return false }
            defer { H5Oclose(oid) }
            return H5Iget_type(oid) == H5I_GROUP
        }
    }

    /// The storage class of dataset `key`.
    func nwbReadClass(_ key: String) throws -> NWBStorageClass {
        try HDF5Library.locked {
            try withDataset(key) { did in
                let tid = H5Dget_type(did)
                guard tid >= 0 else { throw HDF5Error(path: path, key: key, "cannot read the datatype") }
                defer { H5Tclose(tid) }
                switch H5Tget_class(tid) {
                case H5T_INTEGER: return .integer
                case H5T_FLOAT: return .float
                case H5T_ENUM: return .enumeration
                case H5T_STRING: return .string
                default: return .other
                }
            }
        }
    }

    /// Checks that dataset `key` can be read into memory at `memoryBytesPerElement` bytes per
    /// element and returns its shape. Element counts use overflow-checked arithmetic. An
    /// uncompressed (contiguous or compact) dataset must fit inside the file; a chunked one may
    /// decompress to at most `NWBLimits.maxExpansion` × the file size plus `NWBLimits.slackBytes`.
    func nwbReadCheckedShape(_ key: String, memoryBytesPerElement: Int) throws -> [Int] {
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? Int.max
        return try HDF5Library.locked {
            try withDataset(key) { did in
                let shape = try shapeOf(dataset: did, key: key)
                let tid = H5Dget_type(did)
                guard tid >= 0 else { throw HDF5Error(path: path, key: key, "cannot read the datatype") }
                defer { H5Tclose(tid) }
                let fileElement = max(1, H5Tget_size(tid))
                var count = 1
                for d in shape {
                    let (c, o) = count.multipliedReportingOverflow(by: d)
                    guard !o, d >= 0 else { throw HDF5Error(path: path, key: key, "declared shape \(shape) overflows; the file is corrupt") }
                    count = c
                }
                let (stored, o1) = count.multipliedReportingOverflow(by: fileElement)
                let (memory, o2) = count.multipliedReportingOverflow(by: max(memoryBytesPerElement, 1))
                guard !o1, !o2 else { throw HDF5Error(path: path, key: key, "declared shape \(shape) is too large to read; the file is corrupt") }
                let dcpl = H5Dget_create_plist(did)
                let layout = dcpl >= 0 ? H5Pget_layout(dcpl) : H5D_CONTIGUOUS
                if dcpl >= 0 { H5Pclose(dcpl) }
                if layout != H5D_CHUNKED {
                    guard stored <= fileSize else {
                        throw HDF5Error(path: path, key: key, "declares shape \(shape) (\(stored) bytes uncompressed) but the file has only \(fileSize) bytes; the file is truncated or corrupt, copy it again")
                    }
                } else {
                    let (scaled, o3) = fileSize.multipliedReportingOverflow(by: NWBLimits.maxExpansion)
                    let limit = o3 ? Int.max : scaled &+ NWBLimits.slackBytes
                    guard memory <= limit else {
                        throw HDF5Error(path: path, key: key, "declares shape \(shape) (\(memory) bytes in memory), more than \(NWBLimits.maxExpansion)× the \(fileSize)-byte file; refusing to read it (corrupt file?)")
                    }
                }
                return shape
            }
        }
    }

    /// Reads a numeric (integer, float or boolean/enum) dataset as Double, after the size check.
    func nwbReadDoubles(_ key: String) throws -> (values: [Double], shape: [Int]) {
        let shape = try nwbReadCheckedShape(key, memoryBytesPerElement: 8)
        switch try nwbReadClass(key) {
        case .integer, .float: return try readDoubles(key)
        case .enumeration: return (try nwbReadEnumValues(key).map(Double.init), shape)
        case .string: throw HDF5Error(path: path, key: key, "is a string dataset; expected numbers")
        case .other: throw HDF5Error(path: path, key: key, "has an unsupported datatype; expected numbers")
        }
    }

    /// Reads an integer (or boolean/enum, or integral float) dataset as Int, after the size check.
    func nwbReadInts(_ key: String) throws -> [Int] {
        _ = try nwbReadCheckedShape(key, memoryBytesPerElement: 8)
        switch try nwbReadClass(key) {
        case .enumeration: return try nwbReadEnumValues(key)
        case .integer, .float: return try readInts(key).values
        case .string: throw HDF5Error(path: path, key: key, "is a string dataset; expected integers")
        case .other: throw HDF5Error(path: path, key: key, "has an unsupported datatype; expected integers")
        }
    }

    /// Reads a boolean column: an h5py bool (int8 enum) or any integer dataset (non-zero = true).
    func nwbReadBools(_ key: String) throws -> [Bool] {
        try nwbReadInts(key).map { $0 != 0 }
    }

    /// Reads the integer values of an enum dataset (h5py bool: FALSE = 0, TRUE = 1).
    func nwbReadEnumValues(_ key: String) throws -> [Int] {
        let shape = try nwbReadCheckedShape(key, memoryBytesPerElement: 8)
        return try HDF5Library.locked {
            try withDataset(key) { did in
                let tid = H5Dget_type(did)
                guard tid >= 0, H5Tget_class(tid) == H5T_ENUM else {
                    if tid >= 0 { H5Tclose(tid) }
                    throw HDF5Error(path: path, key: key, "is not an enum (boolean) dataset")
                }
                defer { H5Tclose(tid) }
                let mem = H5Tget_native_type(tid, H5T_DIR_ASCEND)
                guard mem >= 0 else { throw HDF5Error(path: path, key: key, "cannot map the enum type to memory") }
                defer { H5Tclose(mem) }
                let base = H5Tget_super(mem)
                defer { if base >= 0 { H5Tclose(base) } }
                let signed = base >= 0 && H5Tget_sign(base) != H5T_SGN_NONE
                let size = H5Tget_size(mem)
                guard [1, 2, 4, 8].contains(size) else { throw HDF5Error(path: path, key: key, "enum of \(size)-byte integers is not supported") }
                let count = shape.reduce(1, *)
                var bytes = [UInt8](repeating: 0, count: count * size)
                if count == 0 { return [] }
                let status = bytes.withUnsafeMutableBytes {
                    H5Dread(did, mem, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
                }
                guard status >= 0 else { throw HDF5Error(path: path, key: key, "reading the data failed (truncated or corrupt file?)") }
                return bytes.withUnsafeBytes { raw -> [Int] in
                    (0..<count).map { i in
                        let off = i * size
                        switch (size, signed) {
                        case (1, true): return Int(raw.load(fromByteOffset: off, as: Int8.self))
                        case (1, false): return Int(raw.load(fromByteOffset: off, as: UInt8.self))
                        case (2, true): return Int(raw.loadUnaligned(fromByteOffset: off, as: Int16.self))
                        case (2, false): return Int(raw.loadUnaligned(fromByteOffset: off, as: UInt16.self))
                        case (4, true): return Int(raw.loadUnaligned(fromByteOffset: off, as: Int32.self))
                        case (4, false): return Int(raw.loadUnaligned(fromByteOffset: off, as: UInt32.self))
                        case (_, true): return Int(raw.loadUnaligned(fromByteOffset: off, as: Int64.self))
                        default: return Int(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: off, as: UInt64.self))
                        }
                    }
                }
            }
        }
    }

    /// Reads a string dataset (variable- or fixed-length, any rank) as a flat array.
    func nwbReadStrings(_ key: String) throws -> [String] {
        let shape = try nwbReadCheckedShape(key, memoryBytesPerElement: 16)
        return try HDF5Library.locked {
            try withDataset(key) { did in
                let tid = H5Dget_type(did)
                guard tid >= 0 else { throw HDF5Error(path: path, key: key, "cannot read the datatype") }
                defer { H5Tclose(tid) }
                guard H5Tget_class(tid) == H5T_STRING else { throw HDF5Error(path: path, key: key, "is not a string dataset") }
                let count = shape.reduce(1, *)
                if count == 0 { return [] }
                let mem = H5Tcopy(chdf5_c_s1())
                defer { H5Tclose(mem) }
                H5Tset_cset(mem, H5Tget_cset(tid))
                if H5Tis_variable_str(tid) > 0 {
                    H5Tset_size(mem, chdf5_variable())
                    var ptrs = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                    let status = ptrs.withUnsafeMutableBytes {
                        H5Dread(did, mem, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
                    }
                    guard status >= 0 else { throw HDF5Error(path: path, key: key, "reading the strings failed") }
                    let out = ptrs.map { $0.map { String(cString: $0) } ?? "" }
                    let sid = H5Dget_space(did)
                    ptrs.withUnsafeMutableBytes { _ = H5Dvlen_reclaim(mem, sid, chdf5_p_default(), $0.baseAddress) }
                    H5Sclose(sid)
                    return out
                }
                let size = H5Tget_size(tid)
                H5Tset_size(mem, size)
                var buf = [CChar](repeating: 0, count: count * size + 1)
                let status = buf.withUnsafeMutableBytes {
                    H5Dread(did, mem, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
                }
                guard status >= 0 else { throw HDF5Error(path: path, key: key, "reading the strings failed") }
                return (0..<count).map { i in
                    let bytes = buf[(i * size)..<((i + 1) * size)].map { UInt8(bitPattern: $0) }
                    let cut = bytes.firstIndex(of: 0).map { Array(bytes[..<$0]) } ?? bytes
                    return String(decoding: cut, as: UTF8.self).trimmingTrailing()
                }
            }
        }
    }

    /// A numeric attribute `name` of `object` (first element if it is an array); nil if absent.
    func nwbReadNumericAttribute(_ name: String, of object: String) throws -> Double? {
        let present = HDF5Library.locked {
            id >= 0 && (object == "/" || linkExists(object)) && H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0
        }
        guard present else { return nil }
        guard let first = try readDoubleAttribute(name, of: object).first else {
            throw HDF5Error(path: path, key: "\(object)@\(name)", "expected a number but found no value")
        }
        return first
    }

    /// A scalar string attribute `name` of `object`; nil if absent or not a string.
    func nwbReadStringAttribute(_ name: String, of object: String = "/") -> String? {
        let exists: Bool = HDF5Library.locked {
            guard id >= 0, object == "/" || linkExists(object) else { return false }
            return H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0
        }
        guard exists else { return nil }
        return try? readStringAttribute(name, of: object)
    }
}

/// Memory bounds for NWB reading.
enum NWBLimits {
    /// A chunked (possibly compressed) dataset may expand to at most this many times the file size…
    static let maxExpansion = 64
    /// …plus this many bytes.
    static let slackBytes = 256 << 20
    /// At most this many values in one converted array (trials × bins × units; 8 GiB of Float32).
    static let maxOutputValues = 1 << 31
}
