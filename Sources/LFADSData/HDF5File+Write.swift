import CHDF5

extension HDF5File {
    /// Writes a Float32 N-D dataset (replacing an existing one). `gzip` is a deflate level 1…9.
    public func write(_ key: String, floats: [Float], shape: [Int], gzip: Int? = nil) throws {
        try writeRaw(key, values: floats, shape: shape, memType: chdf5_native_float(), fileType: chdf5_ieee_f32le(), gzip: gzip)
    }

    /// Writes a Float64 N-D dataset (replacing an existing one).
    public func write(_ key: String, doubles: [Double], shape: [Int], gzip: Int? = nil) throws {
        try writeRaw(key, values: doubles, shape: shape, memType: chdf5_native_double(), fileType: chdf5_ieee_f64le(), gzip: gzip)
    }

    /// Writes an integer N-D dataset stored as `dtype` (int8/16/32/64). Values out of range throw.
    public func write(_ key: String, ints: [Int], shape: [Int], dtype: HDF5DType = .int64, gzip: Int? = nil) throws {
        let (lo, hi, fileType): (Int, Int, hid_t)
        switch dtype {
        case .int8: (lo, hi, fileType) = (Int(Int8.min), Int(Int8.max), chdf5_std_i8le())
        case .int16: (lo, hi, fileType) = (Int(Int16.min), Int(Int16.max), chdf5_std_i16le())
        case .int32: (lo, hi, fileType) = (Int(Int32.min), Int(Int32.max), chdf5_std_i32le())
        case .int64: (lo, hi, fileType) = (Int.min, Int.max, chdf5_std_i64le())
        default: throw HDF5Error(path: path, key: key, "integer data can be written as int8, int16, int32 or int64, not \(dtype)")
        }
        if let bad = ints.first(where: { $0 < lo || $0 > hi }) {
            throw HDF5Error(path: path, key: key, "value \(bad) does not fit in \(dtype); choose a wider dtype")
        }
        try writeRaw(key, values: ints.map { Int64($0) }, shape: shape, memType: chdf5_native_int64(), fileType: fileType, gzip: gzip)
    }

    /// Writes `array` back with its own dtype (unsigned types are stored as the next signed one).
    public func write(_ key: String, array: HDF5Array, gzip: Int? = nil) throws {
        switch array.dtype {
        case .float32: try write(key, floats: array.values.map { Float($0) }, shape: array.shape, gzip: gzip)
        case .float64: try write(key, doubles: array.values, shape: array.shape, gzip: gzip)
        case .int8, .int16, .int32, .int64:
            try write(key, ints: array.values.map { Int($0) }, shape: array.shape, dtype: array.dtype, gzip: gzip)
        case .uint8: try write(key, ints: array.values.map { Int($0) }, shape: array.shape, dtype: .int16, gzip: gzip)
        case .uint16: try write(key, ints: array.values.map { Int($0) }, shape: array.shape, dtype: .int32, gzip: gzip)
        case .uint32, .uint64: try write(key, ints: array.values.map { Int($0) }, shape: array.shape, dtype: .int64, gzip: gzip)
        case .string: throw HDF5Error(path: path, key: key, "HDF5Array holds numbers, not strings")
        }
    }

    /// Writes a Float64 scalar dataset.
    public func writeScalar(_ key: String, _ value: Double) throws {
        try write(key, doubles: [value], shape: [])
    }

    /// Writes an Int64 scalar dataset.
    public func writeScalar(_ key: String, _ value: Int) throws {
        try write(key, ints: [value], shape: [])
    }

    /// Writes a scalar variable-length UTF-8 string dataset.
    public func writeString(_ key: String, _ value: String) throws {
        try HDF5Library.locked {
            try prepareWrite(key)
            let (mem, sid) = try stringTypeAndSpace(key)
            defer { H5Tclose(mem); H5Sclose(sid) }
            let dcpl = H5Pcreate(chdf5_p_dataset_create())
            defer { H5Pclose(dcpl) }
            H5Pset_obj_track_times(dcpl, false)
            let did = H5Dcreate2(id, key, mem, sid, chdf5_p_default(), dcpl, chdf5_p_default())
            guard did >= 0 else { throw HDF5Error(path: path, key: key, "cannot create the string dataset") }
            defer { H5Dclose(did) }
            let status = value.withCString { cstr -> herr_t in
                var ptr: UnsafePointer<CChar>? = cstr
                return H5Dwrite(did, mem, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), &ptr)
            }
            guard status >= 0 else { throw HDF5Error(path: path, key: key, "writing the string failed") }
        }
    }

    /// Writes (or replaces) a variable-length UTF-8 string attribute on `object` (`/` = file).
    public func writeStringAttribute(_ name: String, _ value: String, on object: String = "/") throws {
        try HDF5Library.locked {
            let label = object == "/" ? "@\(name)" : "\(object)@\(name)"
            try checkOpen(label)
            guard mode != .readOnly else { throw HDF5Error(path: path, key: label, "file is open read-only") }
            if H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0 {
                H5Adelete_by_name(id, object, name, chdf5_p_default())
            }
            let (mem, sid) = try stringTypeAndSpace(label)
            defer { H5Tclose(mem); H5Sclose(sid) }
            let aid = H5Acreate_by_name(id, object, name, mem, sid, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
            guard aid >= 0 else { throw HDF5Error(path: path, key: label, "cannot create the attribute (does the object exist?)") }
            defer { H5Aclose(aid) }
            let status = value.withCString { cstr -> herr_t in
                var ptr: UnsafePointer<CChar>? = cstr
                return H5Awrite(aid, mem, &ptr)
            }
            guard status >= 0 else { throw HDF5Error(path: path, key: label, "writing the attribute failed") }
        }
    }

    /// Deletes dataset or group `key` if present.
    public func remove(_ key: String) throws {
        try HDF5Library.locked {
            try checkOpen(key)
            guard linkExists(key) else { return }
            guard H5Ldelete(id, key, chdf5_p_default()) >= 0 else { throw HDF5Error(path: path, key: key, "cannot delete") }
        }
    }

    // MARK: - internals

    private func stringTypeAndSpace(_ key: String) throws -> (hid_t, hid_t) {
        let mem = H5Tcopy(chdf5_c_s1())
        H5Tset_size(mem, chdf5_variable())
        H5Tset_cset(mem, H5T_CSET_UTF8)
        let sid = H5Screate(H5S_SCALAR)
        guard mem >= 0, sid >= 0 else { throw HDF5Error(path: path, key: key, "cannot create the string type") }
        return (mem, sid)
    }

    /// Checks the file is writable, deletes an existing `key`, creates missing parent groups
    /// (without timestamps, so files are byte-reproducible).
    private func prepareWrite(_ key: String) throws {
        try checkOpen(key)
        guard mode != .readOnly else { throw HDF5Error(path: path, key: key, "file is open read-only") }
        let parts = key.split(separator: "/").map(String.init)
        guard !parts.isEmpty else { throw HDF5Error(path: path, key: key, "empty dataset name") }
        if linkExists(key) { H5Ldelete(id, key, chdf5_p_default()) }
        try createGroups(Array(parts.dropLast()), label: key)
    }

    /// Creates each missing group along `parts` from the root (without timestamps); errors name `label`.
    func createGroups(_ parts: [String], label: String) throws {
        var partial = ""
        for part in parts {
            partial += "/" + part
            if H5Lexists(id, partial, chdf5_p_default()) > 0 { continue }
            let gcpl = H5Pcreate(chdf5_p_group_create())
            H5Pset_obj_track_times(gcpl, false)
            let gid = H5Gcreate2(id, partial, chdf5_p_default(), gcpl, chdf5_p_default())
            H5Pclose(gcpl)
            guard gid >= 0 else { throw HDF5Error(path: path, key: label, "cannot create group '\(partial)'") }
            H5Gclose(gid)
        }
    }

    private func writeRaw<T>(_ key: String, values: [T], shape: [Int], memType: hid_t, fileType: hid_t, gzip: Int?) throws {
        let count = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), values.count == count else {
            throw HDF5Error(path: path, key: key, "shape \(shape) holds \(count) values but \(values.count) were given")
        }
        if let gzip, !(1...9).contains(gzip) {
            throw HDF5Error(path: path, key: key, "gzip level \(gzip) is outside 1…9")
        }
        try HDF5Library.locked {
            try prepareWrite(key)
            let dims = shape.map { hsize_t($0) }
            let sid = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims, nil)
            guard sid >= 0 else { throw HDF5Error(path: path, key: key, "cannot create the dataspace") }
            defer { H5Sclose(sid) }
            let dcpl = H5Pcreate(chdf5_p_dataset_create())
            defer { H5Pclose(dcpl) }
            H5Pset_obj_track_times(dcpl, false)
            if let gzip, !shape.isEmpty, count > 0 {
                let chunk = chunkShape(shape, elementSize: MemoryLayout<T>.size)
                H5Pset_chunk(dcpl, Int32(chunk.count), chunk)
                H5Pset_deflate(dcpl, UInt32(gzip))
            }
            let did = H5Dcreate2(id, key, fileType, sid, chdf5_p_default(), dcpl, chdf5_p_default())
            guard did >= 0 else { throw HDF5Error(path: path, key: key, "cannot create the dataset") }
            defer { H5Dclose(did) }
            if count == 0 { return }
            let status = values.withUnsafeBytes {
                H5Dwrite(did, memType, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
            }
            guard status >= 0 else { throw HDF5Error(path: path, key: key, "writing the data failed (disk full?)") }
        }
    }

    /// Chunk dims for a compressed dataset: the whole array, with leading axes halved until a
    /// chunk is at most 1 MiB.
    private func chunkShape(_ shape: [Int], elementSize: Int) -> [hsize_t] {
        var chunk = shape
        var axis = 0
        while chunk.reduce(elementSize, *) > 1 << 20 && axis < chunk.count {
            if chunk[axis] > 1 { chunk[axis] = (chunk[axis] + 1) / 2 } else { axis += 1 }
        }
        return chunk.map { hsize_t($0) }
    }
}
