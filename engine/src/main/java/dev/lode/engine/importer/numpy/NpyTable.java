package dev.lode.engine.importer.numpy;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportTable;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Reads the planned parts in order: each .npy source, or the one .npz, in batches of whole samples. */
final class NpyTable implements ImportTable {
    static final int BATCH_SAMPLES = 8192;
    static final long BATCH_BYTES = 16L << 20;

    /** One .npy file (one array) or one .npz (its arrays in column order); all arrays share the sample count. */
    record Part(boolean zip, java.nio.file.Path file, List<Array> arrays) {
    }

    record Array(Origin origin, NpyHeader header, long declaredSize) {
    }

    private final Schema schema;
    private final List<Part> parts;
    private final ImportContext context;
    private boolean read;

    NpyTable(Schema schema, List<Part> parts, ImportContext context) {
        this.schema = schema;
        this.parts = List.copyOf(parts);
        this.context = context;
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public void read(BatchConsumer consumer) throws IOException {
        if (read) {
            throw new IllegalStateException("the table was already read");
        }
        read = true;
        for (Part part : parts) {
            if (part.zip()) {
                try (ZipFile zip = NpyImporter.openZip(part.file())) {
                    List<Samples> readers = new ArrayList<>();
                    List<InputStream> streams = new ArrayList<>();
                    try {
                        for (Array array : part.arrays()) {
                            ZipEntry entry = zip.getEntry(array.origin().member());
                            InputStream in = NpyImporter.bounded(zip.getInputStream(entry), array);
                            streams.add(in);
                            in.skipNBytes(array.header().dataOffset());
                            readers.add(new Samples(array.header(), memberData(in, array)));
                        }
                        readPart(part, readers, consumer);
                        for (int i = 0; i < streams.size(); i++) {
                            if (streams.get(i).read() >= 0) {
                                throw part.arrays().get(i).origin().whole("the member has bytes after its data");
                            }
                        }
                    } finally {
                        for (InputStream in : streams) {
                            in.close();
                        }
                    }
                }
            } else {
                Array array = part.arrays().getFirst();
                try (FileChannel channel = NpyImporter.openChannel(part.file())) {
                    readPart(part, List.of(new Samples(array.header(),
                            Samples.of(channel, array.header().dataOffset()))), consumer);
                }
            }
        }
    }

    private static Samples.Bytes memberData(InputStream in, Array array) throws IOException {
        NpyHeader header = array.header();
        if (!header.fortranOrder() || header.shape().length == 1) {
            return Samples.sequential(in, header, array.origin());
        }
        // Fortran order puts the first item of every sample first, so a member's stream must be held whole.
        if (header.dataBytes() > NpyImporter.MAX_FORTRAN_MEMBER) {
            throw array.origin().whole("Fortran-order members larger than " + NpyImporter.MAX_FORTRAN_MEMBER
                    + " bytes are not supported (this one holds " + header.dataBytes() + ")");
        }
        byte[] data = in.readNBytes((int) header.dataBytes());
        if (data.length < header.dataBytes()) {
            throw Samples.truncated(array.origin(), header, data.length);
        }
        return Samples.of(data);
    }

    private void readPart(Part part, List<Samples> readers, BatchConsumer consumer) throws IOException {
        List<Array> arrays = part.arrays();
        long sampleBytes = 0;
        for (Array array : arrays) {
            sampleBytes += array.header().sampleBytes();
        }
        int batch = (int) Math.max(1, Math.min(BATCH_SAMPLES, BATCH_BYTES / Math.max(1, sampleBytes)));
        long samples = arrays.getFirst().header().samples();
        byte[][] raw = new byte[arrays.size()][];
        for (int i = 0; i < arrays.size(); i++) {
            raw[i] = new byte[(int) (Math.min(batch, samples) * arrays.get(i).header().sampleBytes())];
        }
        for (long first = 0; first < samples; first += batch) {
            int count = (int) Math.min(batch, samples - first);
            try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, context.allocator())) {
                List<FieldVector> vectors = root.getFieldVectors();
                for (int i = 0; i < arrays.size(); i++) {
                    Array array = arrays.get(i);
                    readers.get(i).read(first, count, raw[i]);
                    try {
                        Columns.fill(vectors.get(i), array.header(), raw[i], count);
                    } catch (IllegalArgumentException e) {
                        throw array.origin().whole("sample " + (first + count - 1) + " or earlier: " + e.getMessage());
                    }
                }
                root.setRowCount(count);
                context.bytesRead().accept(count * sampleBytes);
                consumer.accept(root);
            }
        }
    }

    @Override
    public void close() {
    }
}
