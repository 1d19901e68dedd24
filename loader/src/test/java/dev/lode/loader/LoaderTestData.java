package dev.lode.loader;

import dev.lode.engine.ImportRequest;
import dev.lode.engine.Repository;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/** Datasets imported into real repositories, and batches read back as bytes, for loader tests. */
final class LoaderTestData {
    static final int CHANNELS = 3;
    static final int SIDE = 8;
    static final int TENSOR_BYTES = CHANNELS * SIDE * SIDE;

    private LoaderTestData() {
    }

    /** Byte k of image s: the oracle the loader's tensors are checked against. */
    static byte imageByte(long sample, int k) {
        return (byte) (sample * 31 + k * 7 + (sample >>> 8));
    }

    /** A .npy of rows 3x8x8 uint8 images (C order), as numpy writes it. */
    static Path writeImages(Path file, int rows) throws IOException {
        String dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + rows + ", " + CHANNELS + ", " + SIDE
                + ", " + SIDE + "), }";
        StringBuilder header = new StringBuilder(dict);
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.ISO_8859_1));
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xFF);
        out.write(header.length() >>> 8);
        out.writeBytes(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (long s = 0; s < rows; s++) {
            for (int k = 0; k < TENSOR_BYTES; k++) {
                out.write(imageByte(s, k));
            }
        }
        Files.write(file, out.toByteArray());
        return file;
    }

    static void importFile(Repository repository, String dataset, Path file) throws IOException {
        repository.importFiles(ImportRequest.of(dataset, List.of(file)).withThreads(1));
    }

    /** Each row of the batch as the hex of its bytes in every column, columns separated by '|'. */
    static List<String> rows(Batch batch) {
        VectorSchemaRoot root = batch.root();
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < root.getRowCount(); i++) {
            StringBuilder row = new StringBuilder();
            for (FieldVector vector : root.getFieldVectors()) {
                row.append('|').append(HexFormat.of().formatHex(rowBytes(vector, i)));
            }
            rows.add(row.toString());
        }
        return rows;
    }

    static byte[] rowBytes(FieldVector vector, int row) {
        if (vector instanceof FixedSizeListVector list) {
            BaseFixedWidthVector items = (BaseFixedWidthVector) list.getDataVector();
            int width = items.getTypeWidth() * list.getListSize();
            return bytes(items.getDataBuffer(), (long) row * width, width);
        }
        if (vector instanceof BaseVariableWidthVector variable) {
            int start = variable.getOffsetBuffer().getInt(4L * row);
            int end = variable.getOffsetBuffer().getInt(4L * (row + 1));
            return bytes(variable.getDataBuffer(), start, end - start);
        }
        BaseFixedWidthVector fixed = (BaseFixedWidthVector) vector;
        return bytes(fixed.getDataBuffer(), (long) row * fixed.getTypeWidth(), fixed.getTypeWidth());
    }

    private static byte[] bytes(ArrowBuf buffer, long offset, int length) {
        byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }
}
