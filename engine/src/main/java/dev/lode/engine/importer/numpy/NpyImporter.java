package dev.lode.engine.importer.numpy;

import dev.lode.engine.LodeException;
import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.Importer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import static java.util.Objects.requireNonNull;

/**
 * Imports numpy {@code .npy} arrays (format 1.0, 2.0, 3.0) and {@code .npz} archives (zip, stored or deflated).
 *
 * <h2>Shape</h2>
 * The first axis is the sample axis: a 1-D array is one scalar column; an array of shape (N, d1, d2, ...) is one
 * column of FixedSizeList of d1*d2*... items in C order, carrying the canonical {@code arrow.fixed_shape_tensor}
 * extension metadata {@code {"shape":[d1,d2,...]}}. Fortran-order arrays are transposed so that row i is sample i.
 * A 0-d array, or a trailing dimension of size 0, is an error. Columns are non-nullable.
 *
 * <h2>Types</h2>
 * b1 → bool; i1-i8 → signed ints; u1-u8 → unsigned ints; f4, f8 → float32, float64 (bit for bit, NaN payloads
 * kept); S&lt;n&gt; → FixedSizeBinary(n), raw bytes with numpy's NUL padding kept; U&lt;n&gt; (UCS-4) → utf8, trailing
 * NULs stripped. Big-endian data is converted; {@code =} (native order) is read as little-endian. float16, complex,
 * object, datetime, void and structured dtypes are rejected as "unsupported dtype '...'".
 *
 * <h2>Sources</h2>
 * A .npy is named by its file name without extension. Several .npy sources are concatenated along the first axis
 * when their dtypes (ignoring byte order) and trailing shapes agree; the column takes the first file's name. An .npz
 * (recognised by its {@code PK} signature) must be the only source: each member {@code x.npy} becomes a column
 * {@code x}, in order of member name, and all members must have the same first dimension. Members not ending in
 * .npy, names with {@code ..} segments or absolute names are rejected.
 *
 * <h2>Resources</h2>
 * Data is streamed in batches of at most {@value NpyTable#BATCH_SAMPLES} samples or about 16 MiB. A .npz member is
 * read sequentially; its declared uncompressed size must equal header plus shape × item size, and reading stops
 * with an error as soon as a member inflates to more bytes than declared (zip bombs). A Fortran-order .npz member,
 * which cannot be read out of order, is held in memory and limited to 256 MiB.
 *
 * <h2>Errors</h2>
 * {@link ImportException} naming the file, the byte offset (for .npz, the member and the offset inside it) and why.
 */
public final class NpyImporter implements Importer {
    static final long MAX_FORTRAN_MEMBER = 256L << 20;

    public NpyImporter() {
    }

    @Override
    public String name() {
        return "npy";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public boolean detects(Path file, byte[] head) {
        return Importer.hasExtension(file, ".npy", ".npz")
                || (head.length >= 6 && Arrays.equals(head, 0, 6, NpyHeader.MAGIC, 0, 6));
    }

    @Override
    public ImportTable open(List<Path> sources, ImportOptions options, ImportContext context) throws IOException {
        requireNonNull(sources, "sources is null");
        requireNonNull(options, "options is null");
        requireNonNull(context, "context is null");
        if (sources.isEmpty()) {
            throw new LodeException("No files to import");
        }
        options.requireKnown(name(), java.util.Set.of());
        List<NpyTable.Part> parts = new ArrayList<>();
        for (Path file : sources) {
            if (isZip(file)) {
                if (sources.size() > 1) {
                    throw new ImportException(file, null, "an .npz must be the only source of an import, but "
                            + sources.size() + " were given");
                }
                parts.add(new NpyTable.Part(true, file, planZip(file)));
            } else {
                parts.add(new NpyTable.Part(false, file, List.of(planNpy(file))));
            }
        }
        NpyTable.Array first = parts.getFirst().arrays().getFirst();
        for (NpyTable.Part part : parts.subList(1, parts.size())) {
            checkConcatenable(first, part.arrays().getFirst());
        }
        List<Field> fields = new ArrayList<>();
        for (NpyTable.Array array : parts.getFirst().arrays()) {
            fields.add(Columns.field(array.origin().columnName(), array.header()));
        }
        return new NpyTable(new Schema(fields), parts, context);
    }

    private static NpyTable.Array planNpy(Path file) throws IOException {
        Origin origin = new Origin(file, null);
        try (FileChannel channel = openChannel(file)) {
            NpyHeader header = NpyHeader.read(Channels.newInputStream(channel), origin);
            long found = channel.size() - header.dataOffset();
            if (found < header.dataBytes()) {
                throw origin.at(channel.size(), "truncated: expected " + header.dataBytes()
                        + " bytes of data, found " + found);
            }
            if (found > header.dataBytes()) {
                throw origin.at(header.dataOffset() + header.dataBytes(), (found - header.dataBytes())
                        + " bytes after the end of the data, which shape " + NpyHeader.shapeText(header.shape())
                        + " of " + header.dtype().descr() + " ends here");
            }
            return new NpyTable.Array(origin, header, channel.size());
        }
    }

    private static List<NpyTable.Array> planZip(Path file) throws IOException {
        List<NpyTable.Array> arrays = new ArrayList<>();
        try (ZipFile zip = openZip(file)) {
            List<? extends ZipEntry> entries = zip.stream()
                    .filter(entry -> !entry.isDirectory())
                    .sorted(Comparator.comparing(ZipEntry::getName))
                    .toList();
            if (entries.isEmpty()) {
                throw new ImportException(file, null, "the .npz holds no arrays");
            }
            for (ZipEntry entry : entries) {
                String name = entry.getName();
                Origin origin = new Origin(file, name);
                if (name.startsWith("/") || name.startsWith("\\") || name.contains("\\") || name.matches("^[A-Za-z]:.*")
                        || Arrays.asList(name.split("/")).contains("..")) {
                    throw origin.whole("unsafe member name (absolute or containing '..')");
                }
                if (!name.endsWith(".npy")) {
                    throw origin.whole("not a .npy member; an .npz may hold only .npy arrays");
                }
                if (entry.getSize() < 0) {
                    throw origin.whole("the member does not declare its uncompressed size");
                }
                NpyHeader header;
                try (InputStream in = bounded(zip.getInputStream(entry), origin, entry.getSize())) {
                    header = NpyHeader.read(in, origin);
                } catch (ZipException e) {
                    throw origin.whole("corrupt zip: " + e.getMessage());
                }
                long implied = header.dataOffset() + header.dataBytes();
                if (entry.getSize() < implied) {
                    throw origin.at(entry.getSize(), "truncated: expected " + header.dataBytes()
                            + " bytes of data, found " + (entry.getSize() - header.dataOffset()));
                }
                if (entry.getSize() > implied) {
                    throw origin.whole("the member declares " + entry.getSize() + " bytes uncompressed, but its"
                            + " header implies " + implied + " (shape " + NpyHeader.shapeText(header.shape())
                            + " of " + header.dtype().descr() + ")");
                }
                NpyTable.Array array = new NpyTable.Array(origin, header, entry.getSize());
                NpyTable.Array head = arrays.isEmpty() ? null : arrays.getFirst();
                if (head != null && head.header().samples() != header.samples()) {
                    throw new ImportException(file, null, "members " + head.origin().member() + " (shape "
                            + NpyHeader.shapeText(head.header().shape()) + ") and " + name + " (shape "
                            + NpyHeader.shapeText(header.shape()) + ") differ in their first dimension");
                }
                arrays.add(array);
            }
        }
        return arrays;
    }

    private static void checkConcatenable(NpyTable.Array first, NpyTable.Array other) {
        NpyHeader a = first.header();
        NpyHeader b = other.header();
        if (!a.dtype().sameValues(b.dtype())) {
            throw other.origin().whole("dtype " + b.dtype().descr() + " differs from " + a.dtype().descr()
                    + " in " + first.origin().file() + "; sources are concatenated only when their dtypes agree");
        }
        if (!Arrays.equals(a.trailingShape(), b.trailingShape())) {
            throw other.origin().whole("shape " + NpyHeader.shapeText(b.shape()) + " differs after the first axis"
                    + " from shape " + NpyHeader.shapeText(a.shape()) + " in " + first.origin().file()
                    + "; sources are concatenated only when their trailing shapes agree");
        }
    }

    private static boolean isZip(Path file) throws IOException {
        try (FileChannel channel = openChannel(file)) {
            byte[] head = Channels.newInputStream(channel).readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4
                    || file.toString().toLowerCase(Locale.ROOT).endsWith(".npz");
        }
    }

    static FileChannel openChannel(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ImportException(file, null, "the file does not exist", e);
        } catch (AccessDeniedException e) {
            throw new ImportException(file, null, "the file cannot be read (access denied)", e);
        }
    }

    static ZipFile openZip(Path file) throws IOException {
        openChannel(file).close(); // the same messages for a missing or unreadable file
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new ImportException(file, null, "corrupt zip: " + e.getMessage(), e);
        }
    }

    static InputStream bounded(InputStream in, NpyTable.Array array) {
        return bounded(in, array.origin(), array.declaredSize());
    }

    /** A member's stream that fails as soon as it yields more than the declared uncompressed size. */
    static InputStream bounded(InputStream in, Origin origin, long declared) {
        return new FilterInputStream(in) {
            private long count;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] target, int offset, int length) throws IOException {
                int read;
                try {
                    read = super.read(target, offset, length);
                } catch (ZipException e) {
                    throw origin.at(count, "corrupt compressed data: " + e.getMessage());
                } catch (EOFException e) {
                    // The central directory points past the end of the file (found by NpzFuzzTest).
                    throw origin.at(count, "corrupt zip: the member's data lies beyond the end of the file");
                }
                if (read > 0) {
                    count += read;
                    if (count > declared) {
                        throw origin.whole("the member inflates to more than its declared " + declared
                                + " bytes (a zip bomb?)");
                    }
                }
                return read;
            }

            @Override
            public long skip(long n) throws IOException {
                return Math.max(0, read(new byte[(int) Math.min(n, 8192)], 0, (int) Math.min(n, 8192)));
            }
        };
    }
}
