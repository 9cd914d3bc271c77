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
                names.append(buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
                idx += 1
            }
            return names
        }
    }

    /// Opens attribute `name` of `object` (caller holds the library lock and closes it) with its label for errors.
    private func openAttribute(_ name: String, of object: String) throws -> (hid_t, String) {
        try checkOpen(object)
        let label = object == "/" ? "@\(name)" : "\(object)@\(name)"
        guard H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0 else {
            throw HDF5Error(path: path, key: label, "attribute not found")
        }
        let aid = H5Aopen_by_name(id, object, name, chdf5_p_default(), chdf5_p_default())
        guard aid >= 0 else { throw HDF5Error(path: path, key: label, "cannot open attribute") }
        return (aid, label)
    }

    /// Reads a string attribute `name` of `object` (`/` for the file's root group).
    public func readStringAttribute(_ name: String, of object: String = "/") throws -> String {
        try HDF5Library.locked {
            let (aid, label) = try openAttribute(name, of: object)
            defer { H5Aclose(aid) }
            return try readStringValue(key: label, typeOf: { H5Aget_type(aid) }, spaceOf: { H5Aget_space(aid) }) {
                H5Aread(aid, $0, $1)
            }
        }
    }

    /// Reads a numeric attribute `name` of `object` as Doubles (one value for a scalar attribute).
    public func readDoubleAttribute(_ name: String, of object: String = "/") throws -> [Double] {
        try HDF5Library.locked {
            let (aid, label) = try openAttribute(name, of: object)
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
        if let link = externalLinkInPath(key) {
            throw HDF5Error(path: path, key: key, "\(link == key ? "is" : "goes through '\(link)',") an external link into another file; external links are not followed: copy the data into this file")
        }
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
        guard rank <= 32 else { throw HDF5Error(path: path, key: key, "has rank \(rank); HDF5 allows at most 32 (damaged file?)") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 { H5Sget_simple_extent_dims(sid, &dims, nil) }
        let shape = dims.compactMap { Int(exactly: $0) }
        guard shape.count == dims.count, HDF5ReadLimits.elementCount(shape) != nil else {
            throw HDF5Error(path: path, key: key, "declares shape \(dims), whose element count does not fit in a 64-bit integer (crafted or damaged file)")
        }
        return shape
    }

    func dtypeOf(dataset did: hid_t, key: String) throws -> HDF5DType {
        let tid = H5Dget_type(did)
        guard tid >= 0 else { throw HDF5Error(path: path, key: key, "cannot read the datatype") }
        defer { H5Tclose(tid) }
        let size = H5Tget_size(tid)
        let cls = H5Tget_class(tid)
        switch cls {
        case H5T_FLOAT where size == 4: return .float32
        case H5T_FLOAT where size == 8: return .float64
        case H5T_FLOAT:
            throw HDF5Error(path: path, key: key, "has a \(8 * size)-bit float datatype; only 32- and 64-bit floats are read (convert it, e.g. numpy .astype('float32'))")
        case H5T_INTEGER:
            let signed = H5Tget_sign(tid) != H5T_SGN_NONE
            switch size {
            case 1: return signed ? .int8 : .uint8
            case 2: return signed ? .int16 : .uint16
            case 4: return signed ? .int32 : .uint32
            default: return signed ? .int64 : .uint64
            }
        case H5T_STRING: return .string
        default:
            let names: [H5T_class_t: String] = [H5T_ENUM: "enum (or bool)", H5T_COMPOUND: "compound", H5T_BITFIELD: "bitfield",
                                                H5T_OPAQUE: "opaque", H5T_REFERENCE: "reference", H5T_VLEN: "variable-length",
                                                H5T_ARRAY: "array", H5T_TIME: "time"]
            throw HDF5Error(path: path, key: key, "has an unsupported \(names[cls] ?? "unknown") datatype; only integers, 32/64-bit floats and strings are read")
        }
    }

    private func readNumeric<T>(_ key: String, memType: hid_t, zero: T) throws -> (values: [T], shape: [Int]) {
        try HDF5Library.locked {
            try withDataset(key) { did in
                let shape = try shapeOf(dataset: did, key: key)
                guard try dtypeOf(dataset: did, key: key).isNumeric else {
                    throw HDF5Error(path: path, key: key, "is a string dataset, not numeric")
                }
                let count = try checkReadSize(dataset: did, key: key, shape: shape, memoryElementSize: MemoryLayout<T>.stride)
                var values = [T](repeating: zero, count: count)
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

    /// Throws unless numeric dataset `key` can be read into memory (see `HDF5ReadLimits`): its data
    /// is in this file (not virtual or external) and its declared size fits the file and the memory
    /// available (`bytesPerElement` in memory: 4 for Float, 8 for Double). Readers call it before
    /// deciding to read a key.
    public func checkReadable(_ key: String, bytesPerElement: Int = 4) throws {
        try HDF5Library.locked {
            try withDataset(key) { did in
                _ = try checkReadSize(dataset: did, key: key, shape: shapeOf(dataset: did, key: key), memoryElementSize: bytesPerElement)
            }
        }
    }

    /// The element count of dataset `did`, after checking that reading it allocates a sane amount.
    func checkReadSize(dataset did: hid_t, key: String, shape: [Int], memoryElementSize: Int) throws -> Int {
        guard let count = HDF5ReadLimits.elementCount(shape) else {
            throw HDF5Error(path: path, key: key, "declares shape \(shape), whose element count does not fit in a 64-bit integer (crafted or damaged file)")
        }
        let dcpl = H5Dget_create_plist(did)
        guard dcpl >= 0 else { throw HDF5Error(path: path, key: key, "cannot read the dataset's storage properties") }
        defer { H5Pclose(dcpl) }
        let layout = H5Pget_layout(dcpl)
        if layout == H5D_VIRTUAL {
            throw HDF5Error(path: path, key: key, "is a virtual dataset (its data lives in other files); it is not read: copy the data into this file")
        }
        if H5Pget_external_count(dcpl) > 0 {
            throw HDF5Error(path: path, key: key, "keeps its data in external raw files; it is not read: copy the data into this file")
        }
        if count == 0 { return 0 }
        let tid = H5Dget_type(did)
        let storedSize = tid >= 0 ? max(1, H5Tget_size(tid)) : 8
        if tid >= 0 { H5Tclose(tid) }
        let (stored, o1) = count.multipliedReportingOverflow(by: storedSize)
        let (memory, o2) = count.multipliedReportingOverflow(by: memoryElementSize)
        var fileSize: hsize_t = 0
        H5Fget_filesize(id, &fileSize)
        let fileBytes = Int(clamping: fileSize)
        let describe = HDF5ReadLimits.describe(bytes:)
        let declared = "declares shape \(shape) (\(o1 ? "more than 8 EiB" : describe(stored)))"
        switch layout {
        case H5D_CHUNKED:
            let (ratioCap, o3) = fileBytes.multipliedReportingOverflow(by: HDF5ReadLimits.chunkedRatio)
            let cap = max(o3 ? Int.max : ratioCap, HDF5ReadLimits.chunkedFloorBytes)
            if o1 || stored > cap {
                throw HDF5Error(path: path, key: key, "\(declared), more than \(HDF5ReadLimits.chunkedRatio)× the \(describe(fileBytes)) file even if compressed: the data cannot be in this file (crafted or damaged file?)")
            }
        default:
            if o1 || stored > fileBytes + HDF5ReadLimits.contiguousSlackBytes {
                throw HDF5Error(path: path, key: key, "\(declared) but the whole file is \(describe(fileBytes)): the data is not in this file (truncated, never written, or crafted)")
            }
        }
        let available = HDF5ReadLimits.availableMemoryBytes()
        if o2 || Double(memory) > Double(available) * HDF5ReadLimits.memoryFraction {
            throw HDF5Error(path: path, key: key, "\(declared) and needs \(o2 ? "more than 8 EiB" : describe(memory)) of memory to read, but only \(describe(available)) is available; use a machine with more memory (or a smaller file)")
        }
        return count
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
        guard size > 0, size <= 1 << 24 else {
            throw HDF5Error(path: path, key: key, "declares a \(size)-byte string; at most 16 MiB is read (damaged or crafted file?)")
        }
        H5Tset_size(mem, size)
        var buf = [CChar](repeating: 0, count: size + 1)
        guard buf.withUnsafeMutableBytes({ read(mem, $0.baseAddress!) }) >= 0 else {
            throw HDF5Error(path: path, key: key, "reading the string failed")
        }
        return buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.trimmingTrailing()
    }
}

extension String {
    func trimmingTrailing() -> String {
        var s = self
        while let last = s.last, last == " " || last == "\0" { s.removeLast() }
        return s
    }
}
