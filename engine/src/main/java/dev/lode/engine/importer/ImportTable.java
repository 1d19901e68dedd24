package dev.lode.engine.importer;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;

/** The rows of an import, read once, in order, in batches. */
public interface ImportTable extends AutoCloseable {

    /** The schema every batch has. */
    Schema schema();

    /**
     * Delivers every row in source order. The batch passed to the consumer is owned by the table and valid only
     * during the call; batch sizes carry no meaning (consumers cut rows wherever they need). A consumer may transfer
     * the batch's buffers out (leaving its vectors empty), so a table that reuses a batch gives it fresh buffers
     * ({@code clear()} then {@code allocateNew()}, or a new load) rather than writing into the old ones.
     */
    void read(BatchConsumer consumer) throws IOException;

    @Override
    void close() throws IOException;

    @FunctionalInterface
    interface BatchConsumer {
        void accept(VectorSchemaRoot batch) throws IOException;
    }
}
