import CHDF5

extension HDF5File {
    /// Shape (empty for a scalar) and element type of dataset `key`.
    public func info(_ key: String) throws -> (shape: [Int], dtype: HDF5DType) {
        try HDF5Library.locked {
            try withDataset(key) { did in try (shapeOf(dataset: did, key: key), dtypeOf(dataset: did, key: key)) }
        }
    }

    /// Reads any numeric dataset as Float (HDF5 converts from the stored type).
    public func readFloats(_ key: String) throws -> (values: [Float], shape: [Int]) {
        try readNumeric(key, memType: chdf5_native_float(), zero: Float(0))
    }

    /// Reads any numeric dataset as Double.
    public func readDoubles(_ key: String) throws -> (values: [Double], shape: [Int]) {
        try readNumeric(key, memType: chdf5_native_double(), zero: Double(0))
    }

    /// Reads an integer dataset as Int; a float dataset is accepted only if every value is integral.
    public func readInts(_ key: String) throws -> (values: [Int], shape: [Int]) {
        let (_, dtype) = try info(key)
        if dtype.isInteger {
            let (v, s) = try readNumeric(key, memType: chdf5_native_int64(), zero: Int64(0))
            return (v.map { Int($0) }, s)
        }
        let (d, s) = try readDoubles(key)
        guard d.allSatisfy({ $0.isFinite && $0 == $0.rounded() && abs($0) < 9e15 }) else {
            throw HDF5Error(path: path, key: key, "expected integer values but found non-integral or non-finite numbers")
        }
        return (d.map { Int($0) }, s)
    }

    /// Reads a numeric dataset with its shape and original dtype.
    public func readArray(_ key: String) throws -> HDF5Array {
        let (shape, dtype) = try info(key)
        guard dtype.isNumeric else { throw HDF5Error(path: path, key: key, "is a string dataset, not numeric") }
        return HDF5Array(shape: shape, dtype: dtype, values: try readDoubles(key).values)
    }

    /// Reads a scalar (or one-element) numeric dataset.
    public func readScalar(_ key: String) throws -> Double {
        let (v, _) = try readDoubles(key)
        guard v.count == 1 else { throw HDF5Error(path: path, key: key, "expected a scalar but found \(v.count) values") }
        return v[0]
    }

    /// Reads a scalar string dataset (fixed or variable length).
    public func readString(_ key: String) throws -> String {
        try HDF5Library.locked {
            try withDataset(key) { did in
                try readStringValue(key: key, typeOf: { H5Dget_type(did) }, spaceOf: { H5Dget_space(did) }) {
                    H5Dread(did, $0, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $1)
                }
            }
        }
    }

    /// Names of the attributes attached to `object` (a group or dataset path; `/` for the file).
    public func attributeNames(of object: String = "/") throws -> [String] {
        try HDF5Library.locked {
            try checkOpen(object)
            let oid = H5Oopen(id, object, chdf5_p_default())
            guard oid >= 0 else { throw HDF5Error(path: path, key: object, "object not found") }
            defer { H5Oclose(oid) }
            var names: [String] = []
            var idx: hsize_t = 0
            while true {
                let len = H5Aget_name_by_idx(oid, ".", H5_INDEX_NAME, H5_ITER_INC, idx, nil, 0, chdf5_p_default())
                if len < 0 { break }
                var buf = [CChar](repeating: 0, count: Int(len) + 1)
                H5Aget_name_by_idx(oid, ".", H5_INDEX_NAME, H5_ITER_INC, idx, &buf, Int(len) + 1, chdf5_p_default())
                names.append(String(cString: buf))
                idx += 1
            }
            return names
        }
    }

    /// Reads a string attribute `name` of `object` (`/` for the file's root group).
    public func readStringAttribute(_ name: String, of object: String = "/") throws -> String {
        try HDF5Library.locked {
            try checkOpen(object)
            let label = object == "/" ? "@\(name)" : "\(object)@\(name)"
            guard H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0 else {
                throw HDF5Error(path: path, key: label, "attribute not found")
            }
            let aid = H5Aopen_by_name(id, object, name, chdf5_p_default(), chdf5_p_default())
            guard aid >= 0 else { throw HDF5Error(path: path, key: label, "cannot open attribute") }
            defer { H5Aclose(aid) }
            return try readStringValue(key: label, typeOf: { H5Aget_type(aid) }, spaceOf: { H5Aget_space(aid) }) {
                H5Aread(aid, $0, $1)
            }
        }
    }

    /// Reads a numeric attribute `name` of `object` as Doubles (one value for a scalar attribute).
    public func readDoubleAttribute(_ name: String, of object: String = "/") throws -> [Double] {
        try HDF5Library.locked {
            try checkOpen(object)
            let label = object == "/" ? "@\(name)" : "\(object)@\(name)"
            guard H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0 else {
                throw HDF5Error(path: path, key: label, "attribute not found")
            }
            let aid = H5Aopen_by_name(id, object, name, chdf5_p_default(), chdf5_p_default())
            guard aid >= 0 else { throw HDF5Error(path: path, key: label, "cannot open attribute") }
            defer { H5Aclose(aid) }
            let tid = H5Aget_type(aid)
            defer { H5Tclose(tid) }
            let cls = H5Tget_class(tid)
            guard cls == H5T_INTEGER || cls == H5T_FLOAT else { throw HDF5Error(path: path, key: label, "is not a numeric attribute") }
            let sid = H5Aget_space(aid)
            defer { H5Sclose(sid) }
            let n = H5Sget_simple_extent_npoints(sid)
            guard n >= 0, n <= 1 << 20 else { throw HDF5Error(path: path, key: label, "has \(n) values; expected a small numeric attribute") }
            var values = [Double](repeating: 0, count: Int(n))
            if n == 0 { return values }
            let status = values.withUnsafeMutableBytes { H5Aread(aid, chdf5_native_double(), $0.baseAddress) }
            guard status >= 0 else { throw HDF5Error(path: path, key: label, "reading the attribute failed") }
            return values
        }
    }

    // MARK: - internals (call with the lock held)

    func withDataset<T>(_ key: String, _ body: (hid_t) throws -> T) throws -> T {
        try checkOpen(key)
        guard linkExists(key) else { throw HDF5Error(path: path, key: key, "dataset not found") }
        let did = H5Dopen2(id, key, chdf5_p_default())
        guard did >= 0 else { throw HDF5Error(path: path, key: key, "is not a readable dataset") }
        defer { H5Dclose(did) }
        return try body(did)
    }

    func shapeOf(dataset did: hid_t, key: String) throws -> [Int] {
        let sid = H5Dget_space(did)
        guard sid >= 0 else { throw HDF5Error(path: path, key: key, "cannot read the dataspace") }
        defer { H5Sclose(sid) }
        let rank = H5Sget_simple_extent_ndims(sid)
        guard rank >= 0 else { throw HDF5Error(path: path, key: key, "cannot read the dataspace") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 { H5Sget_simple_extent_dims(sid, &dims, nil) }
        return dims.map { Int($0) }
    }

    func dtypeOf(dataset did: hid_t, key: String) throws -> HDF5DType {
        let tid = H5Dget_type(did)
        guard tid >= 0 else { throw HDF5Error(path: path, key: key, "cannot read the datatype") }
        defer { H5Tclose(tid) }
        let size = H5Tget_size(tid)
        switch H5Tget_class(tid) {
        case H5T_FLOAT: return size <= 4 ? .float32 : .float64
        case H5T_INTEGER:
            let signed = H5Tget_sign(tid) != H5T_SGN_NONE
            switch size {
            case 1: return signed ? .int8 : .uint8
            case 2: return signed ? .int16 : .uint16
            case 4: return signed ? .int32 : .uint32
            default: return signed ? .int64 : .uint64
            }
        case H5T_STRING: return .string
        default: throw HDF5Error(path: path, key: key, "unsupported datatype (only integers, floats and strings are read)")
        }
    }

    private func readNumeric<T>(_ key: String, memType: hid_t, zero: T) throws -> (values: [T], shape: [Int]) {
        try HDF5Library.locked {
            try withDataset(key) { did in
                let shape = try shapeOf(dataset: did, key: key)
                guard try dtypeOf(dataset: did, key: key).isNumeric else {
                    throw HDF5Error(path: path, key: key, "is a string dataset, not numeric")
                }
                var values = [T](repeating: zero, count: shape.reduce(1, *))
                if values.isEmpty { return (values, shape) }
                let status = values.withUnsafeMutableBytes {
                    H5Dread(did, memType, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
                }
                guard status >= 0 else {
                    throw HDF5Error(path: path, key: key, "reading the data failed (truncated or corrupt file?)")
                }
                return (values, shape)
            }
        }
    }

    private func readStringValue(key: String, typeOf: () -> hid_t, spaceOf: () -> hid_t,
                                 read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> String {
        let tid = typeOf()
        guard tid >= 0 else { throw HDF5Error(path: path, key: key, "cannot read the datatype") }
        defer { H5Tclose(tid) }
        guard H5Tget_class(tid) == H5T_STRING else { throw HDF5Error(path: path, key: key, "is not a string") }
        let mem = H5Tcopy(chdf5_c_s1())
        defer { H5Tclose(mem) }
        H5Tset_cset(mem, H5Tget_cset(tid))
        let sid = spaceOf()
        defer { H5Sclose(sid) }
        guard H5Sget_simple_extent_npoints(sid) == 1 else {
            throw HDF5Error(path: path, key: key, "expected a single string")
        }
        if H5Tis_variable_str(tid) > 0 {
            H5Tset_size(mem, chdf5_variable())
            var ptr: UnsafeMutablePointer<CChar>? = nil
            guard read(mem, &ptr) >= 0 else { throw HDF5Error(path: path, key: key, "reading the string failed") }
            defer { H5Dvlen_reclaim(mem, sid, chdf5_p_default(), &ptr) }
            return ptr.map { String(cString: $0) } ?? ""
        }
        let size = H5Tget_size(tid)
        H5Tset_size(mem, size)
        var buf = [CChar](repeating: 0, count: size + 1)
        guard buf.withUnsafeMutableBytes({ read(mem, $0.baseAddress!) }) >= 0 else {
            throw HDF5Error(path: path, key: key, "reading the string failed")
        }
        return String(cString: buf).trimmingTrailing()
    }
}

extension String {
    func trimmingTrailing() -> String {
        var s = self
        while let last = s.last, last == " " || last == "\0" { s.removeLast() }
        return s
    }
}
