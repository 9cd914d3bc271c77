extension HDF5File {
    /// Reads a 3-D numeric dataset (any stored dtype) as an `Array3D`; other ranks throw.
    public func readArray3D(_ key: String) throws -> Array3D {
        let (values, shape) = try readFloats(key)
        guard shape.count == 3 else {
            throw DataFileError(path: path, key: key, "expected a 3-D array (trials × time × channels) but found shape \(shape)")
        }
        return Array3D(trials: shape[0], time: shape[1], channels: shape[2], values: values)
    }

    /// Writes an `Array3D` as a Float32 dataset (replacing an existing one).
    public func write(_ key: String, array3D a: Array3D, gzip: Int? = nil) throws {
        try write(key, floats: a.values, shape: a.shape, gzip: gzip)
    }
}
