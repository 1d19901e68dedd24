package dev.lode.engine.parquet;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.Importer;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Imports Parquet files (Lode's own fragments and files from pyarrow, DuckDB, Spark) as one table. All files must
 * have the same Arrow schema; corrupt or truncated files give an {@link ImportException}.
 */
public final class ParquetImporter implements Importer {
    static final int BATCH_ROWS = 64 * 1024;
    private static final byte[] MAGIC = {'P', 'A', 'R', '1'};

    public ParquetImporter() {
    }

    @Override
    public String name() {
        return "parquet";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public boolean detects(Path file, byte[] head) {
        return head.length >= MAGIC.length && java.util.Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    @Override
    public ImportTable open(List<Path> sources, ImportOptions options, ImportContext context) throws IOException {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no Parquet files to import");
        }
        options.requireKnown(name(), java.util.Set.of());
        List<Path> files = List.copyOf(sources);
        Schema schema = SchemaDifference.requireSame(files, FragmentReader::readSchema);
        return new ImportTable() {
            @Override
            public Schema schema() {
                return schema;
            }

            @Override
            public void read(BatchConsumer consumer) throws IOException {
                for (Path file : files) {
                    FragmentReader.read(file, context.allocator(), BATCH_ROWS, consumer);
                    context.bytesRead().accept(Files.size(file));
                }
            }

            @Override
            public void close() {
            }
        };
    }
}
