package dev.lode.engine.importer.matlab;

import dev.lode.engine.LodeException;
import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.Importer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * Imports the variables of a MATLAB {@code .mat} file: level 5 (v5, v6, v7, read with mfl-core) and v7.3 (HDF5,
 * read with jhdf).
 *
 * <h2>Detection</h2>
 * A file whose header starts with {@code "MATLAB 5.0 MAT-file"} or {@code "MATLAB 7.3 MAT-file"}, or whose name ends
 * in {@code .mat}. The {@code hdf5} importer leaves v7.3 files (HDF5 after a 512-byte header) to this one.
 *
 * <h2>Sample axis</h2>
 * MATLAB stores arrays column-major; this importer shows them as the user sees them in MATLAB (and as
 * {@code scipy.io.loadmat} returns them), whatever the storage. Option {@code sample-axis} picks the dimension that
 * counts samples:
 * <ul>
 *   <li>{@code first} (default): an M×N×... array gives M rows; row i is {@code a(i,:,...)}, as {@code a[i]} in
 *       scipy. The 3×2 matrix {@code [1 2; 3 4; 5 6]} gives rows [1,2], [3,4], [5,6].</li>
 *   <li>{@code last}: a ...×K array gives K rows; row k is {@code a(...,k)}, for stacks such as 32×32×3×N images.</li>
 * </ul>
 * The other dimensions, in MATLAB order, form the per-sample shape: one column of FixedSizeList items in C order
 * (last index fastest) marked as the canonical {@code arrow.fixed_shape_tensor} extension with metadata
 * {@code {"shape":[...]}}. Whatever the option, a 1×N or N×1 vector (and a 1×1 scalar) gives N rows of scalars.
 * A char array must be 2-D: each row (sample-axis first) or column (last) is one utf8 string, padding kept.
 *
 * <h2>Columns and types</h2>
 * Variables become columns in order of name and must all have the same number of samples. double, single,
 * int8-64, uint8-64 → float64, float32, signed and unsigned ints (bit for bit); logical → bool; char → utf8.
 * A 1×1 struct is flattened: field {@code f} of {@code s} becomes column {@code s.f} (recursively, {@code s.t.f}),
 * by the same rules. Struct arrays, cell arrays, sparse, complex, empty arrays, objects, function handles and
 * other classes are errors naming the variable. v7.3 names starting with {@code #} (MATLAB's internal
 * {@code #refs#} and {@code #subsystem#}) are skipped. Columns are non-nullable.
 *
 * <h2>Resources</h2>
 * Both libraries read a variable whole: a v5 file is read into memory whole (files above 2 GiB are refused), a v7.3
 * variable above {@value MatV73#MAX_VARIABLE_BYTES} bytes is refused. Batches are then cut from memory. One file per
 * import.
 *
 * <h2>Errors</h2>
 * {@link ImportException} naming the file, the variable and why; library exceptions (truncated or corrupt files)
 * are wrapped, never passed on.
 */
public final class MatImporter implements Importer {
    static final String SAMPLE_AXIS_OPTION = "sample-axis";
    static final byte[] V5 = "MATLAB 5.0 MAT-file".getBytes(StandardCharsets.US_ASCII);
    static final byte[] V73 = "MATLAB 7.3 MAT-file".getBytes(StandardCharsets.US_ASCII);

    public MatImporter() {
    }

    @Override
    public String name() {
        return "mat";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public boolean detects(Path file, byte[] head) {
        return startsWith(head, V5) || startsWith(head, V73) || Importer.hasExtension(file, ".mat");
    }

    private static boolean startsWith(byte[] head, byte[] prefix) {
        return head.length >= prefix.length && Arrays.equals(head, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public ImportTable open(List<Path> sources, ImportOptions options, ImportContext context) throws IOException {
        requireNonNull(sources, "sources is null");
        requireNonNull(options, "options is null");
        requireNonNull(context, "context is null");
        if (sources.isEmpty()) {
            throw new LodeException("No files to import");
        }
        options.requireKnown(name(), java.util.Set.of(SAMPLE_AXIS_OPTION));
        MatColumn.SampleAxis axis = switch (options.get(SAMPLE_AXIS_OPTION, "first")) {
            case "first" -> MatColumn.SampleAxis.FIRST;
            case "last" -> MatColumn.SampleAxis.LAST;
            default -> throw new LodeException("Option " + SAMPLE_AXIS_OPTION + " must be first or last, not '"
                    + options.get(SAMPLE_AXIS_OPTION, "") + "'");
        };
        Path file = sources.getFirst();
        if (sources.size() > 1) {
            throw new ImportException(file, null, "a MAT import takes one file, but " + sources.size()
                    + " were given");
        }
        if (!Files.isRegularFile(file)) {
            throw new ImportException(file, null, "the file does not exist");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(128);
        }
        List<MatVariable> variables;
        AutoCloseable resource;
        if (startsWith(head, V73)) {
            MatV73 v73 = MatV73.open(file);
            resource = v73;
            try {
                variables = v73.variables();
            } catch (RuntimeException e) {
                v73.close();
                throw e;
            }
        } else if (startsWith(head, V5)) {
            MatV5 v5 = MatV5.open(file);
            resource = v5;
            variables = v5.variables();
        } else {
            throw new ImportException(file, null, "not a MATLAB v5 or v7.3 file: the header does not start with "
                    + "'MATLAB 5.0 MAT-file' or 'MATLAB 7.3 MAT-file' (v4 files are not supported)");
        }
        try {
            if (variables.isEmpty()) {
                throw new ImportException(file, null, "the file holds no variables");
            }
            List<MatColumn> columns = new ArrayList<>();
            for (MatVariable variable : variables.stream().sorted(Comparator.comparing(MatVariable::name)).toList()) {
                MatColumn column = MatColumn.of(file, variable, axis);
                if (!columns.isEmpty() && columns.getFirst().samples() != column.samples()) {
                    MatVariable first = columns.getFirst().variable();
                    throw new ImportException(file, null, "variables " + first.name() + " (size "
                            + MatVariable.sizeText(first.dimensions()) + ", " + columns.getFirst().samples()
                            + " samples) and " + variable.name() + " (size "
                            + MatVariable.sizeText(variable.dimensions()) + ", " + column.samples()
                            + " samples) differ in their number of samples along the " + axis.name()
                            .toLowerCase(Locale.ROOT) + " axis");
                }
                columns.add(column);
            }
            List<Field> fields = columns.stream().map(MatColumn::field).toList();
            return new MatTable(file, new Schema(fields), columns, resource, context);
        } catch (RuntimeException e) {
            closeQuietly(resource, e);
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable resource, RuntimeException failure) {
        try {
            resource.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    static ImportException corrupt(Path file, Exception e) {
        // The innermost cause says what was wrong; wrappers only repeat it behind a class name.
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return new ImportException(file, null, "not a readable MAT file (truncated or corrupt?): " + message, e);
    }
}
