import Foundation
import CHDF5

/// Low-level writers the NWB layout needs beyond `HDF5File+Write`: empty groups, string and
/// boolean arrays, unsigned integers, numeric / string-array / object-reference attributes.
/// Every object is created without timestamps so that files are byte-reproducible.
extension HDF5File {
    /// Creates group `path` (e.g. `stimulus/presentation`) and any missing parents; an existing
    /// group is left as it is.
    public func createGroup(_ path: String) throws {
        try HDF5Library.locked {
            try nwbCheckWritable(path)
            try createGroups(path.split(separator: "/").map(String.init), label: path)
        }
    }

    /// Writes a 1-D dataset of variable-length UTF-8 strings (replacing an existing one).
    public func writeStrings(_ key: String, _ values: [String]) throws {
        try HDF5Library.locked {
            let mem = try nwbStringType(key)
            defer { H5Tclose(mem) }
            try nwbCreateDataset(key, type: mem, shape: [values.count]) { did in
                try nwbWithCStrings(values) { H5Dwrite(did, mem, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0) }
            }
        }
    }

    /// Writes a 1-D boolean dataset as h5py and hdmf store it: an int8 enum {FALSE = 0, TRUE = 1}.
    public func writeBools(_ key: String, _ values: [Bool]) throws {
        try HDF5Library.locked {
            let type = try nwbBoolType(key)
            defer { H5Tclose(type) }
            let bytes = values.map { Int8($0 ? 1 : 0) }
            try nwbCreateDataset(key, type: type, shape: [values.count]) { did in
                bytes.withUnsafeBytes { H5Dwrite(did, type, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress) }
            }
        }
    }

    /// Writes non-negative integers as an unsigned dataset of `bits` (8, 16, 32 or 64) bits,
    /// e.g. an NWB `VectorIndex`. Negative or too large values throw.
    public func writeUnsigned(_ key: String, _ values: [Int], shape: [Int], bits: Int) throws {
        let fileType: hid_t
        switch bits {
        case 8: fileType = chdf5_std_u8le()
        case 16: fileType = chdf5_std_u16le()
        case 32: fileType = chdf5_std_u32le()
        case 64: fileType = chdf5_std_u64le()
        default: throw HDF5Error(path: path, key: key, "unsigned data can be written with 8, 16, 32 or 64 bits, not \(bits)")
        }
        if let bad = values.first(where: { $0 < 0 || (bits < 64 && UInt64($0) >> UInt64(bits) != 0) }) {
            throw HDF5Error(path: path, key: key, "value \(bad) does not fit in an unsigned \(bits)-bit integer")
        }
        guard let count = checkedCount(shape), count == values.count else {
            throw HDF5Error(path: path, key: key, "shape \(shape) does not hold the \(values.count) values given")
        }
        let wide = values.map { UInt64($0) }
        try HDF5Library.locked {
            try nwbCreateDataset(key, type: fileType, shape: shape) { did in
                wide.withUnsafeBytes { H5Dwrite(did, chdf5_native_uint64(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress) }
            }
        }
    }

    /// Writes (or replaces) a 1-D variable-length UTF-8 string-array attribute on `object`.
    public func writeStringArrayAttribute(_ name: String, _ values: [String], on object: String = "/") throws {
        try HDF5Library.locked {
            let mem = try nwbStringType(object)
            defer { H5Tclose(mem) }
            try nwbWriteAttribute(name, on: object, type: mem, shape: [values.count]) { aid in
                try nwbWithCStrings(values) { H5Awrite(aid, mem, $0) }
            }
        }
    }

    /// Writes (or replaces) a scalar float64 attribute on `object`.
    public func writeAttribute(_ name: String, double value: Double, on object: String = "/") throws {
        try HDF5Library.locked {
            try nwbWriteAttribute(name, on: object, type: chdf5_ieee_f64le(), shape: []) { aid in
                var v = value
                return H5Awrite(aid, chdf5_native_double(), &v)
            }
        }
    }

    /// Writes (or replaces) a scalar int64 attribute on `object`.
    public func writeAttribute(_ name: String, int value: Int, on object: String = "/") throws {
        try HDF5Library.locked {
            try nwbWriteAttribute(name, on: object, type: chdf5_std_i64le(), shape: []) { aid in
                var v = Int64(value)
                return H5Awrite(aid, chdf5_native_int64(), &v)
            }
        }
    }

    /// Writes (or replaces) a 1-D int64 array attribute on `object` (may be empty).
    public func writeAttribute(_ name: String, ints values: [Int], on object: String = "/") throws {
        try HDF5Library.locked {
            try nwbWriteAttribute(name, on: object, type: chdf5_std_i64le(), shape: [values.count]) { aid in
                let wide = values.map { Int64($0) }
                return wide.isEmpty ? 0 : wide.withUnsafeBytes { H5Awrite(aid, chdf5_native_int64(), $0.baseAddress) }
            }
        }
    }

    /// Writes (or replaces) a scalar HDF5 object-reference attribute (H5T_STD_REF_OBJ) on
    /// `object` pointing at the existing object `target` (e.g. a `VectorIndex`'s `target`).
    public func writeObjectReferenceAttribute(_ name: String, to target: String, on object: String) throws {
        try HDF5Library.locked {
            try checkOpen(target)
            guard linkExists(target) else {
                throw HDF5Error(path: path, key: target, "reference target does not exist; write it before the reference")
            }
            var ref = hobj_ref_t()
            guard chdf5_create_object_ref(&ref, id, target) >= 0 else {
                throw HDF5Error(path: path, key: target, "cannot create an object reference")
            }
            try nwbWriteAttribute(name, on: object, type: chdf5_std_ref_obj(), shape: []) { aid in
                H5Awrite(aid, chdf5_std_ref_obj(), &ref)
            }
        }
    }

    // MARK: - internals (all called with the library lock held)

    private func nwbCheckWritable(_ key: String) throws {
        try checkOpen(key)
        guard mode != .readOnly else { throw HDF5Error(path: path, key: key, "file is open read-only") }
    }

    /// Replaces dataset `key` with a new contiguous one of `type` and `shape`, then runs `write`.
    private func nwbCreateDataset(_ key: String, type: hid_t, shape: [Int], write: (hid_t) throws -> herr_t) throws {
        try nwbCheckWritable(key)
        let parts = key.split(separator: "/").map(String.init)
        guard !parts.isEmpty else { throw HDF5Error(path: path, key: key, "empty dataset name") }
        if linkExists(key) { H5Ldelete(id, key, chdf5_p_default()) }
        try createGroups(Array(parts.dropLast()), label: key)
        let sid = try nwbSpace(shape, label: key)
        defer { H5Sclose(sid) }
        let dcpl = H5Pcreate(chdf5_p_dataset_create())
        defer { H5Pclose(dcpl) }
        H5Pset_obj_track_times(dcpl, false)
        let did = H5Dcreate2(id, key, type, sid, chdf5_p_default(), dcpl, chdf5_p_default())
        guard did >= 0 else { throw HDF5Error(path: path, key: key, "cannot create the dataset") }
        defer { H5Dclose(did) }
        if shape.contains(0) { return }
        guard try write(did) >= 0 else { throw HDF5Error(path: path, key: key, "writing the data failed (disk full?)") }
    }

    /// Replaces attribute `name` on `object` with a new one of `type` and `shape`, then runs `write`.
    private func nwbWriteAttribute(_ name: String, on object: String, type: hid_t, shape: [Int],
                                   write: (hid_t) throws -> herr_t) throws {
        let label = object == "/" ? "@\(name)" : "\(object)@\(name)"
        try nwbCheckWritable(label)
        if H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0 {
            H5Adelete_by_name(id, object, name, chdf5_p_default())
        }
        let sid = try nwbSpace(shape, label: label)
        defer { H5Sclose(sid) }
        let aid = H5Acreate_by_name(id, object, name, type, sid, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
        guard aid >= 0 else { throw HDF5Error(path: path, key: label, "cannot create the attribute (does the object exist?)") }
        defer { H5Aclose(aid) }
        guard try write(aid) >= 0 else { throw HDF5Error(path: path, key: label, "writing the attribute failed") }
    }

    private func nwbSpace(_ shape: [Int], label: String) throws -> hid_t {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw HDF5Error(path: path, key: label, "negative dimension in shape \(shape)") }
        let dims = shape.map { hsize_t($0) }
        let sid = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims, nil)
        guard sid >= 0 else { throw HDF5Error(path: path, key: label, "cannot create the dataspace") }
        return sid
    }

    private func nwbStringType(_ label: String) throws -> hid_t {
        let mem = H5Tcopy(chdf5_c_s1())
        guard mem >= 0, H5Tset_size(mem, chdf5_variable()) >= 0, H5Tset_cset(mem, H5T_CSET_UTF8) >= 0 else {
            throw HDF5Error(path: path, key: label, "cannot create the string type")
        }
        return mem
    }

    private func nwbBoolType(_ label: String) throws -> hid_t {
        let type = H5Tenum_create(chdf5_native_int8())
        guard type >= 0 else { throw HDF5Error(path: path, key: label, "cannot create the boolean enum type") }
        var no: Int8 = 0, yes: Int8 = 1
        guard H5Tenum_insert(type, "FALSE", &no) >= 0, H5Tenum_insert(type, "TRUE", &yes) >= 0 else {
            H5Tclose(type)
            throw HDF5Error(path: path, key: label, "cannot create the boolean enum type")
        }
        return type
    }

    /// Calls `body` with a C array of NUL-terminated UTF-8 copies of `values` (freed afterwards).
    private func nwbWithCStrings(_ values: [String], _ body: (UnsafeRawPointer?) throws -> herr_t) throws -> herr_t {
        let pointers: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        guard !pointers.contains(where: { $0 == nil }) else { return -1 }
        return try pointers.withUnsafeBufferPointer { try body(UnsafeRawPointer($0.baseAddress)) }
    }

    private func checkedCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            n = p
        }
        return n
    }
}
