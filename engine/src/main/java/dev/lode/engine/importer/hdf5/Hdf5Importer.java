package dev.lode.engine.importer.hdf5;

import dev.lode.engine.LodeException;
import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.Importer;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Imports the datasets of one group of an HDF5 file (read with the pure-Java jhdf library).
 *
 * <h2>Detection</h2>
 * A file whose HDF5 signature {@code \x89HDF\r\n\x1a\n} is at byte 0, 512, 1024 or 2048 (after a user block), unless
 * it starts with {@code "MATLAB 7.3 MAT-file"}: MATLAB v7.3 files are HDF5 with a 512-byte header, and the
 * {@code mat} importer claims them because it knows how MATLAB lays variables out.
 *
 * <h2>Columns</h2>
 * Option {@code hdf5-path} (default {@code /}) names the group. Every dataset directly in it becomes a column, in
 * order of name; subgroups are ignored. All datasets must have the same first dimension, the sample axis: a 1-D
 * dataset is a scalar column, one of shape (N, d1, d2, ...) a FixedSizeList of d1*d2*... items in C order marked as
 * the canonical {@code arrow.fixed_shape_tensor} extension with metadata {@code {"shape":[d1,d2,...]}}. Scalar
 * (0-d) datasets and trailing dimensions of size 0 are errors. Columns are non-nullable.
 *
 * <h2>Types</h2>
 * int8-64 and uint8-64 → signed and unsigned Arrow ints; float32, float64 → float, double; a 1-byte bitfield (how
 * h5py and jhdf store bool) → bool; fixed-length strings → utf8 with HDF5's padding removed. Anything else (float16,
 * variable-length strings, compound, enum, opaque, references, arrays, time) is rejected as "unsupported HDF5 type".
 *
 * <h2>Metadata</h2>
 * Each attribute of the group becomes schema metadata {@code hdf5:<name>}, each attribute of a dataset field metadata
 * {@code hdf5:<name>}, as text: strings as they are, numbers with {@link Double#toString}/{@link Long#toString},
 * arrays as {@code [a, b, ...]} (nested for more dimensions). Attributes of other types (references, compounds) are
 * left out.
 *
 * <h2>Resources</h2>
 * Contiguous and chunked datasets are read in slices of at most {@value Hdf5Table#BATCH_SAMPLES} samples or about
 * 16 MiB. Compact datasets (at most 64 KiB by the format) are read whole. One file per import.
 *
 * <h2>Errors</h2>
 * {@link ImportException} naming the file, the dataset and why; jhdf's exceptions (truncated or corrupt files) are
 * wrapped, never passed on.
 */
public final class Hdf5Importer implements Importer {
    static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    static final byte[] MATLAB_73 = "MATLAB 7.3 MAT-file".getBytes(StandardCharsets.US_ASCII);
    static final String PATH_OPTION = "hdf5-path";

    public Hdf5Importer() {
    }

    @Override
    public String name() {
        return "hdf5";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public boolean detects(Path file, byte[] head) {
        if (head.length >= MATLAB_73.length && Arrays.equals(head, 0, MATLAB_73.length, MATLAB_73, 0, MATLAB_73.length)) {
            return false;
        }
        for (int offset : new int[] {0, 512, 1024, 2048}) {
            if (head.length >= offset + SIGNATURE.length
                    && Arrays.equals(head, offset, offset + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public ImportTable open(List<Path> sources, ImportOptions options, ImportContext context) throws IOException {
        requireNonNull(sources, "sources is null");
        requireNonNull(options, "options is null");
        requireNonNull(context, "context is null");
        if (sources.isEmpty()) {
            throw new LodeException("No files to import");
        }
        options.requireKnown(name(), java.util.Set.of(PATH_OPTION));
        Path file = sources.getFirst();
        if (sources.size() > 1) {
            throw new ImportException(file, null, "an HDF5 import takes one file, but " + sources.size()
                    + " were given");
        }
        String path = options.get(PATH_OPTION, "/");
        HdfFile hdf = openFile(file);
        try {
            Node node;
            try {
                node = path.equals("/") ? hdf : hdf.getByPath(path);
            } catch (io.jhdf.exceptions.HdfInvalidPathException e) {
                throw new ImportException(file, "group " + path, "no such group", e);
            }
            if (!(node instanceof Group group)) {
                throw new ImportException(file, "group " + path, "not a group but a " + node.getType());
            }
            List<Hdf5Column> columns = plan(file, group);
            List<Field> fields = columns.stream().map(Hdf5Column::field).toList();
            Schema schema = new Schema(fields, attributes(file, group));
            return new Hdf5Table(file, hdf, schema, columns, context);
        } catch (ImportException e) {
            hdf.close();
            throw e;
        } catch (RuntimeException e) {
            hdf.close();
            throw corrupt(file, e);
        }
    }

    private static HdfFile openFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new ImportException(file, null, "the file does not exist", new NoSuchFileException(file.toString()));
        }
        if (!Files.isReadable(file)) {
            throw new ImportException(file, null, "the file cannot be read (access denied)");
        }
        checkLength(file);
        try {
            return new HdfFile(file);
        } catch (RuntimeException e) {
            throw corrupt(file, e);
        }
    }

    /**
     * Compares the end of file recorded in the superblock with the file's size: jhdf reads past the end of a
     * truncated file without noticing, so a cut file must be caught here.
     */
    private static void checkLength(Path file) throws IOException {
        long size = Files.size(file);
        byte[] head;
        try (var in = Files.newInputStream(file)) {
            head = in.readNBytes(2048 + 128);
        }
        for (int offset : new int[] {0, 512, 1024, 2048}) {
            if (head.length < offset + 16
                    || !Arrays.equals(head, offset, offset + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
                continue;
            }
            java.nio.ByteBuffer superblock = java.nio.ByteBuffer.wrap(head, offset, head.length - offset).slice()
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int version = superblock.get(8);
            int offsetSize = version >= 2 ? superblock.get(9) : superblock.get(13);
            int baseAt = switch (version) {
                case 0 -> 24;
                case 1 -> 28;
                default -> 12;
            };
            int endAt = baseAt + 2 * offsetSize; // after the base address: one more address, then the end of file
            if (offsetSize != 8 || superblock.limit() < endAt + 8) {
                return; // unusual layouts are left to jhdf
            }
            long base = superblock.getLong(baseAt);
            long end = superblock.getLong(endAt);
            if (base >= 0 && end >= 0 && base + end > size) {
                throw new ImportException(file, null, "truncated: the superblock says the file ends at byte "
                        + (base + end) + ", but it has " + size + " bytes");
            }
            return;
        }
        throw new ImportException(file, null, "not an HDF5 file: no signature at byte 0, 512, 1024 or 2048");
    }

    /** jhdf signals bad files with unchecked exceptions of many kinds; all of them mean the file is unreadable. */
    static ImportException corrupt(Path file, RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ImportException(file, null, "not a readable HDF5 file (truncated or corrupt?): " + message, e);
    }

    private static List<Hdf5Column> plan(Path file, Group group) {
        TreeMap<String, Dataset> datasets = new TreeMap<>();
        for (Map.Entry<String, Node> child : group.getChildren().entrySet()) {
            if (child.getValue() instanceof Dataset dataset) {
                datasets.put(child.getKey(), dataset);
            }
        }
        if (datasets.isEmpty()) {
            throw new ImportException(file, "group " + group.getPath(), "the group holds no datasets");
        }
        List<Hdf5Column> columns = new ArrayList<>();
        for (Map.Entry<String, Dataset> entry : datasets.entrySet()) {
            String name = entry.getKey();
            Dataset dataset = entry.getValue();
            String where = "dataset " + dataset.getPath();
            Hdf5Column.Kind kind = Hdf5Column.kindOf(dataset.getDataType());
            if (kind == null) {
                throw new ImportException(file, where, "unsupported HDF5 type "
                        + Hdf5Column.describe(dataset.getDataType()) + " in dataset " + dataset.getPath());
            }
            if (dataset.isVariableLength()) {
                throw new ImportException(file, where, "unsupported HDF5 type variable-length string in dataset "
                        + dataset.getPath() + "; only fixed-length strings are read");
            }
            int[] dimensions = dataset.getDimensions();
            if (dataset.isScalar() || dimensions.length == 0) {
                throw new ImportException(file, where, "a scalar dataset has no sample axis");
            }
            long[] trailing = new long[dimensions.length - 1];
            long items = 1;
            for (int d = 1; d < dimensions.length; d++) {
                trailing[d - 1] = dimensions[d];
                items *= dimensions[d];
            }
            if (items == 0 || items > Integer.MAX_VALUE / 2) {
                throw new ImportException(file, where, "each sample must hold between 1 and " + Integer.MAX_VALUE / 2
                        + " items, but shape " + shapeText(dimensions) + " gives " + items);
            }
            if (!columns.isEmpty() && columns.getFirst().samples() != dimensions[0]) {
                Hdf5Column first = columns.getFirst();
                throw new ImportException(file, "group " + group.getPath(), "datasets " + first.name() + " (shape "
                        + shapeText(first.dataset().getDimensions()) + ") and " + name + " (shape "
                        + shapeText(dimensions) + ") differ in their first dimension");
            }
            int itemBytes = dataset.getDataType().getSize();
            Field field = Hdf5Column.field(name, Hdf5Column.arrowType(kind, itemBytes), trailing,
                    attributes(file, dataset));
            columns.add(new Hdf5Column(name, dataset, kind, itemBytes, dimensions[0], trailing, (int) items, field));
        }
        return columns;
    }

    static String shapeText(int[] dimensions) {
        StringBuilder text = new StringBuilder("(");
        for (int i = 0; i < dimensions.length; i++) {
            text.append(i == 0 ? "" : ", ").append(dimensions[i]);
        }
        return text.append(dimensions.length == 1 ? ",)" : ")").toString();
    }

    /** A node's attributes as {@code hdf5:<name>} → text, sorted by name; attributes that are not text or numbers are left out. */
    private static Map<String, String> attributes(Path file, Node node) {
        Map<String, String> metadata = new TreeMap<>();
        for (Map.Entry<String, Attribute> entry : new TreeMap<>(node.getAttributes()).entrySet()) {
            Object value;
            try {
                value = entry.getValue().getData();
            } catch (RuntimeException e) {
                continue; // an attribute jhdf cannot decode carries no data we could write down
            }
            String text = text(value);
            if (text != null) {
                metadata.put("hdf5:" + entry.getKey(), text);
            }
        }
        return metadata;
    }

    /** Deterministic text of an attribute value, or null when it is of a kind we do not write down. */
    static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value.getClass().isArray()) {
            StringBuilder text = new StringBuilder("[");
            for (int i = 0; i < Array.getLength(value); i++) {
                String item = text(Array.get(value, i));
                if (item == null) {
                    return null;
                }
                text.append(i == 0 ? "" : ", ").append(item);
            }
            return text.append(']').toString();
        }
        return switch (value) {
            case String string -> string;
            case Float number -> Float.toString(number);
            case Double number -> Double.toString(number);
            case Number number -> number.toString(); // Byte, Short, Integer, Long, BigInteger
            case Boolean bool -> bool.toString();
            default -> null;
        };
    }

}
