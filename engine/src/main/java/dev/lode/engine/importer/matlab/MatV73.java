package dev.lode.engine.importer.matlab;

import dev.lode.engine.importer.ImportException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A MATLAB v7.3 file, which is HDF5 after a 512-byte header, read with jhdf. MATLAB writes each variable as a
 * dataset (a struct as a group) with attribute {@code MATLAB_class}; HDF5 lists dimensions in reverse (row-major)
 * order, so the HDF5 shape reversed is the MATLAB size and the flat HDF5 data is MATLAB's column-major order.
 */
final class MatV73 implements AutoCloseable {
    static final long MAX_VARIABLE_BYTES = 512L << 20;

    private final Path file;
    private final HdfFile hdf;

    private MatV73(Path file, HdfFile hdf) {
        this.file = file;
        this.hdf = hdf;
    }

    static MatV73 open(Path file) {
        try {
            return new MatV73(file, new HdfFile(file));
        } catch (RuntimeException e) {
            throw MatImporter.corrupt(file, e);
        }
    }

    List<MatVariable> variables() {
        List<MatVariable> variables = new ArrayList<>();
        try {
            addChildren("", hdf, variables);
        } catch (ImportException e) {
            throw e;
        } catch (RuntimeException e) {
            throw MatImporter.corrupt(file, e);
        }
        return variables;
    }

    private void addChildren(String prefix, Group group, List<MatVariable> variables) {
        for (Map.Entry<String, Node> child : new TreeMap<>(group.getChildren()).entrySet()) {
            if (!child.getKey().startsWith("#")) {
                add(prefix + child.getKey(), child.getValue(), variables);
            }
        }
    }

    private void add(String name, Node node, List<MatVariable> variables) {
        String matlabClass = text(node.getAttribute("MATLAB_class"));
        if (matlabClass == null) {
            throw unsupported(name, "no MATLAB_class attribute; not a MATLAB variable");
        }
        if (node instanceof Group group) {
            if (!matlabClass.equals("struct")) {
                throw unsupported(name, "unsupported MATLAB class " + matlabClass);
            }
            addChildren(name + ".", group, variables);
            return;
        }
        Dataset dataset = (Dataset) node;
        if (matlabClass.equals("struct")) {
            throw unsupported(name, "struct arrays are not supported; only 1x1 structs are flattened into columns");
        }
        MatVariable.Type type = MatVariable.Type.ofClass(matlabClass);
        if (type == null) {
            throw unsupported(name, "unsupported MATLAB class " + matlabClass
                    + " (only numeric, logical, char and 1x1 struct variables are imported)");
        }
        if (node.getAttribute("MATLAB_empty") != null) {
            throw unsupported(name, "the array is empty");
        }
        if (node.getAttribute("MATLAB_sparse") != null) {
            throw unsupported(name, "sparse arrays are not supported");
        }
        if (dataset.isCompound()) {
            throw unsupported(name, "complex arrays are not supported");
        }
        if (dataset.getSizeInBytes() > MAX_VARIABLE_BYTES) {
            throw unsupported(name, "v7.3 variables are read whole and are limited to " + MAX_VARIABLE_BYTES
                    + " bytes; this one has " + dataset.getSizeInBytes());
        }
        int[] hdfDimensions = dataset.getDimensions();
        int[] dimensions = new int[Math.max(2, hdfDimensions.length)];
        java.util.Arrays.fill(dimensions, 1);
        for (int i = 0; i < hdfDimensions.length; i++) {
            dimensions[hdfDimensions.length - 1 - i] = hdfDimensions[i];
        }
        Object flat = dataset.getDataFlat();
        long[] bits = new long[Array.getLength(flat)];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = switch (Array.get(flat, i)) {
                case Double value -> Double.doubleToRawLongBits(value);
                case Float value -> Float.floatToRawIntBits(value);
                case Boolean value -> value ? 1 : 0;
                case Number value -> value.longValue(); // BigInteger for uint64: its low 64 bits
                default -> throw unsupported(name, "unexpected HDF5 data for class " + matlabClass);
            };
        }
        variables.add(new MatVariable(name, type, dimensions, index -> bits[index]));
    }

    private static String text(Attribute attribute) {
        if (attribute == null) {
            return null;
        }
        Object data = attribute.getData();
        return data instanceof String string ? string : null;
    }

    private ImportException unsupported(String name, String reason) {
        return new ImportException(file, "variable " + name, reason);
    }

    @Override
    public void close() {
        hdf.close();
    }
}
