import CHDF5

/// Numeric root attributes of the file `autolfads data from-nwb` writes (`bin_ms`,
/// `forward_bins`, `heldin_units`, …). String attributes use `writeStringAttribute`.
extension HDF5File {
    /// Writes (or replaces) a scalar float64 attribute on `object`.
    func writeFloat64Attribute(_ name: String, _ value: Double, on object: String = "/") throws {
        try writeNumericAttribute(name, on: object, shape: [], fileType: chdf5_ieee_f64le(), memType: chdf5_native_double(), values: [value])
    }

    /// Writes (or replaces) a scalar int64 attribute on `object`.
    func writeInt64Attribute(_ name: String, _ value: Int, on object: String = "/") throws {
        try writeNumericAttribute(name, on: object, shape: [], fileType: chdf5_std_i64le(), memType: chdf5_native_int64(), values: [Int64(value)])
    }

    /// Writes (or replaces) a 1-D int64 array attribute on `object` (may be empty).
    func writeInt64ArrayAttribute(_ name: String, _ values: [Int], on object: String = "/") throws {
        try writeNumericAttribute(name, on: object, shape: [values.count], fileType: chdf5_std_i64le(), memType: chdf5_native_int64(), values: values.map { Int64($0) })
    }

    private func writeNumericAttribute<T>(_ name: String, on object: String, shape: [Int], fileType: hid_t, memType: hid_t, values: [T]) throws {
        try HDF5Library.locked {
            let label = object == "/" ? "@\(name)" : "\(object)@\(name)"
            try checkOpen(label)
            guard mode != .readOnly else { throw HDF5Error(path: path, key: label, "file is open read-only") }
            if H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0 {
                H5Adelete_by_name(id, object, name, chdf5_p_default())
            }
            let dims = shape.map { hsize_t($0) }
            let sid = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims, nil)
            guard sid >= 0 else { throw HDF5Error(path: path, key: label, "cannot create the dataspace") }
            defer { H5Sclose(sid) }
            let aid = H5Acreate_by_name(id, object, name, fileType, sid, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
            guard aid >= 0 else { throw HDF5Error(path: path, key: label, "cannot create the attribute (does the object exist?)") }
            defer { H5Aclose(aid) }
            if values.isEmpty { return }
            let status = values.withUnsafeBytes { H5Awrite(aid, memType, $0.baseAddress) }
            guard status >= 0 else { throw HDF5Error(path: path, key: label, "writing the attribute failed") }
        }
    }
}
