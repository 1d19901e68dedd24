package dev.lode.engine.parquet;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.Importer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Imports Arrow IPC files ("ARROW1" magic; Feather v2 is this format) and IPC streams (starting with the
 * continuation marker 0xFFFFFFFF) as one table. All files must have the same schema. Dictionary-encoded and
 * compressed (LZ4/ZSTD buffer compression, pyarrow's Feather default) inputs are not supported and give an
 * {@link ImportException}, as do truncated or corrupt files.
 */
public final class ArrowIpcImporter implements Importer {
    private static final byte[] FILE_MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};

    public ArrowIpcImporter() {
    }

    @Override
    public String name() {
        return "arrow";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public boolean detects(Path file, byte[] head) {
        return isFileFormat(head) || (head.length >= 4 && (head[0] & head[1] & head[2] & head[3]) == (byte) 0xFF);
    }

    private static boolean isFileFormat(byte[] head) {
        return head.length >= FILE_MAGIC.length
                && java.util.Arrays.equals(head, 0, FILE_MAGIC.length, FILE_MAGIC, 0, FILE_MAGIC.length);
    }

    @Override
    public ImportTable open(List<Path> sources, ImportOptions options, ImportContext context) throws IOException {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no Arrow files to import");
        }
        options.requireKnown(name(), java.util.Set.of());
        List<Path> files = List.copyOf(sources);
        Schema schema = SchemaDifference.requireSame(files, file -> schemaOf(file, context.allocator()));
        return new ImportTable() {
            @Override
            public Schema schema() {
                return schema;
            }

            @Override
            public void read(BatchConsumer consumer) throws IOException {
                for (Path file : files) {
                    try (Opened opened = open(file, context.allocator())) {
                        while (true) {
                            boolean loaded;
                            try {
                                loaded = opened.reader.loadNextBatch();
                            } catch (IOException | RuntimeException e) {
                                throw failure(file, opened, e);
                            }
                            if (!loaded) {
                                break;
                            }
                            consumer.accept(opened.reader.getVectorSchemaRoot());
                        }
                    }
                    context.bytesRead().accept(Files.size(file));
                }
            }

            @Override
            public void close() {
            }
        };
    }

    private static Schema schemaOf(Path file, BufferAllocator allocator) throws IOException {
        try (Opened opened = open(file, allocator)) {
            return opened.schema;
        }
    }

    /** A reader with its schema read and checked. */
    private record Opened(ArrowReader reader, FileChannel channel, Schema schema) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                reader.close();
            } finally {
                channel.close();
            }
        }
    }

    private static Opened open(Path file, BufferAllocator allocator) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(8);
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        ArrowReader reader = isFileFormat(head) ? new ArrowFileReader(channel, allocator)
                : new ArrowStreamReader(channel, allocator);
        Opened opened = new Opened(reader, channel, null);
        Schema schema;
        try {
            schema = reader.getVectorSchemaRoot().getSchema();
            for (Field field : schema.getFields()) {
                checkNoDictionary(file, field, field.getName());
            }
        } catch (IOException | RuntimeException e) {
            ImportException failure = failure(file, opened, e);
            opened.close();
            throw failure;
        }
        return new Opened(reader, channel, schema);
    }

    private static void checkNoDictionary(Path file, Field field, String path) {
        if (field.getDictionary() != null) {
            throw new ImportException(file, null, "field " + path + " is dictionary-encoded, which is not supported");
        }
        for (Field child : field.getChildren()) {
            checkNoDictionary(file, child, path + "." + child.getName());
        }
    }

    private static ImportException failure(Path file, Opened opened, Exception e) {
        if (e instanceof ImportException importException) {
            return importException;
        }
        String location;
        try {
            location = "byte offset " + opened.channel.position();
        } catch (IOException positionFailure) {
            location = null;
        }
        String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new ImportException(file, location, "corrupt or truncated Arrow IPC data: " + reason, e);
    }
}
