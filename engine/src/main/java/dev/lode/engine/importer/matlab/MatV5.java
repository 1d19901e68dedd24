package dev.lode.engine.importer.matlab;

import dev.lode.engine.importer.ImportException;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Char;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Struct;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A level 5 MAT file read whole by mfl-core. */
final class MatV5 implements AutoCloseable {
    static final long MAX_FILE_BYTES = 2L << 30;

    private final Path file;
    private final Mat5File mat;

    private MatV5(Path file, Mat5File mat) {
        this.file = file;
        this.mat = mat;
    }

    static MatV5 open(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new ImportException(file, null, "v5 MAT files are read whole and are limited to " + MAX_FILE_BYTES
                    + " bytes; this one has " + size);
        }
        try {
            return new MatV5(file, Mat5.readFromFile(file.toFile()));
        } catch (IOException | RuntimeException e) {
            throw MatImporter.corrupt(file, e);
        }
    }

    List<MatVariable> variables() {
        List<MatVariable> variables = new ArrayList<>();
        for (MatFile.Entry entry : mat.getEntries()) {
            add(entry.getName(), entry.getValue(), variables);
        }
        return variables;
    }

    private void add(String name, Array array, List<MatVariable> variables) {
        MatlabType type = array.getType();
        int[] dimensions = array.getDimensions().clone();
        switch (array) {
            case Char text -> variables.add(new MatVariable(name, MatVariable.Type.CHAR, dimensions,
                    index -> text.getChar(index)));
            case Struct struct when type == MatlabType.Structure -> {
                if (struct.getNumElements() != 1) {
                    throw unsupported(name, "struct arrays (size " + MatVariable.sizeText(dimensions)
                            + ") are not supported; only 1x1 structs are flattened into columns");
                }
                for (String field : struct.getFieldNames()) {
                    add(name + "." + field, struct.get(field), variables);
                }
            }
            case Matrix matrix when type != MatlabType.Sparse -> {
                if (matrix.isComplex()) {
                    throw unsupported(name, "complex arrays are not supported");
                }
                MatVariable.Type kind = matrix.isLogical() ? MatVariable.Type.LOGICAL
                        : MatVariable.Type.ofClass(type.name());
                if (kind == null || kind == MatVariable.Type.CHAR) {
                    throw unsupported(name, "unsupported MATLAB class " + type);
                }
                variables.add(new MatVariable(name, kind, dimensions, elements(matrix, kind)));
            }
            default -> throw unsupported(name, "unsupported MATLAB class " + type
                    + " (only numeric, logical, char and 1x1 struct variables are imported)");
        }
    }

    private static MatVariable.Elements elements(Matrix matrix, MatVariable.Type kind) {
        return switch (kind) {
            case DOUBLE -> index -> Double.doubleToRawLongBits(matrix.getDouble(index));
            case SINGLE -> index -> Float.floatToRawIntBits(matrix.getFloat(index));
            case LOGICAL -> index -> matrix.getBoolean(index) ? 1 : 0;
            case INT8, UINT8 -> matrix::getByte;
            case INT16, UINT16 -> matrix::getShort;
            case INT32, UINT32 -> matrix::getInt;
            default -> matrix::getLong;
        };
    }

    private ImportException unsupported(String name, String reason) {
        return new ImportException(file, "variable " + name, reason);
    }

    @Override
    public void close() throws IOException {
        mat.close();
    }
}
