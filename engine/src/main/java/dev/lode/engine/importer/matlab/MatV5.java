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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** A level 5 MAT file read whole by mfl-core. */
final class MatV5 implements AutoCloseable {
    static final long MAX_FILE_BYTES = 2L << 30;
    private static final int HEADER_BYTES = 128;
    private static final int MI_MATRIX = 14;
    private static final int MI_COMPRESSED = 15;

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
            ImportException located = locate(file, e);
            throw located != null ? located : MatImporter.corrupt(file, e);
        }
    }

    /**
     * Finds where a file that mfl-core could not read goes wrong, by walking the tags of its top-level data elements
     * (each variable is one miMATRIX or miCOMPRESSED element after the 128-byte header); null when the tags are sound
     * and the damage is inside an element.
     */
    private static ImportException locate(Path file, Exception cause) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER_BYTES) {
                return new ImportException(file, "byte " + size, "truncated: a MAT file starts with a "
                        + HEADER_BYTES + "-byte header, the file has " + size + " bytes", cause);
            }
            ByteBuffer endian = read(channel, 126, 2);
            ByteOrder order;
            if (endian.get(0) == 'I' && endian.get(1) == 'M') {
                order = ByteOrder.LITTLE_ENDIAN;
            } else if (endian.get(0) == 'M' && endian.get(1) == 'I') {
                order = ByteOrder.BIG_ENDIAN;
            } else {
                return new ImportException(file, "byte 126", "corrupt header: the endian indicator is neither IM nor"
                        + " MI", cause);
            }
            long offset = HEADER_BYTES;
            while (offset < size) {
                if (size - offset < 8) {
                    return new ImportException(file, "byte " + offset, "truncated: " + (size - offset)
                            + " bytes where an 8-byte data element tag should be", cause);
                }
                ByteBuffer tag = read(channel, offset, 8).order(order);
                int type = tag.getInt(0);
                long bytes = tag.getInt(4) & 0xFFFF_FFFFL;
                if (type != MI_MATRIX && type != MI_COMPRESSED) {
                    return new ImportException(file, "byte " + offset, "corrupt data element tag: type " + type
                            + " where a variable (miMATRIX 14 or miCOMPRESSED 15) should start", cause);
                }
                long next = offset + 8 + bytes;
                if (next > size) {
                    return new ImportException(file, "byte " + offset, "truncated: the variable's data element"
                            + " declares " + bytes + " bytes, " + (size - offset - 8) + " follow its tag", cause);
                }
                offset = type == MI_MATRIX ? (next + 7) & ~7L : next;
            }
            return null;
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) >= 0) {
            // keep reading: the caller checked that the bytes exist
        }
        return buffer.flip();
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
