package dev.lode.engine.importer.images;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportTable;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads the listed images in order, a batch at a time; only one batch of encoded images is held in memory. */
final class ImageFolderTable implements ImportTable {
    static final int BATCH_ROWS = 256;
    static final long BATCH_BYTES = 64L << 20;

    private final Schema schema;
    private final List<ImageFolderImporter.ImageFile> images;
    private final Map<String, Long> labelIndexes = new HashMap<>();
    private final ImportContext context;
    private boolean read;

    ImageFolderTable(Schema schema, List<ImageFolderImporter.ImageFile> images, List<String> classes,
                     ImportContext context) {
        this.schema = schema;
        this.images = List.copyOf(images);
        for (int i = 0; i < classes.size(); i++) {
            labelIndexes.put(classes.get(i), (long) i);
        }
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
        int next = 0;
        while (next < images.size()) {
            try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, context.allocator())) {
                root.allocateNew();
                VarBinaryVector image = (VarBinaryVector) root.getVector("image");
                VarCharVector label = (VarCharVector) root.getVector("label");
                BigIntVector labelIndex = (BigIntVector) root.getVector("label_index");
                VarCharVector path = (VarCharVector) root.getVector("path");
                IntVector width = (IntVector) root.getVector("width");
                IntVector height = (IntVector) root.getVector("height");
                int row = 0;
                long batchBytes = 0;
                while (next < images.size() && row < BATCH_ROWS && batchBytes < BATCH_BYTES) {
                    ImageFolderImporter.ImageFile file = images.get(next++);
                    byte[] bytes = readFile(file);
                    ImageHeaders.Dimensions dimensions = ImageHeaders.read(file.shown(), bytes);
                    image.setSafe(row, bytes);
                    label.setSafe(row, file.label().getBytes(StandardCharsets.UTF_8));
                    labelIndex.setSafe(row, labelIndexes.get(file.label()));
                    path.setSafe(row, file.relativePath().getBytes(StandardCharsets.UTF_8));
                    width.setSafe(row, dimensions.width());
                    height.setSafe(row, dimensions.height());
                    context.bytesRead().accept(bytes.length);
                    batchBytes += bytes.length;
                    row++;
                }
                root.setRowCount(row);
                consumer.accept(root);
            }
        }
    }

    /** The whole file, which must not be a link, must still be where it was listed and have its listed size. */
    private static byte[] readFile(ImageFolderImporter.ImageFile image) throws IOException {
        Path real = image.file();
        Path file = image.shown();
        try (FileChannel channel = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (!real.toRealPath().equals(real)) {
                throw new ImportException(file, null, "the file's real path is now " + real.toRealPath()
                        + "; a folder on its path was replaced by a link after listing");
            }
            long size = channel.size();
            if (size != image.size()) {
                throw changed(file, image.size(), size);
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw changed(file, image.size(), buffer.position());
                }
            }
            if (channel.read(ByteBuffer.allocate(1)) > 0) {
                throw new ImportException(file, "byte " + size, "the file grew after it was listed with "
                        + image.size() + " bytes");
            }
            return buffer.array();
        } catch (NoSuchFileException e) {
            throw new ImportException(file, null, "the file was removed after it was listed", e);
        } catch (java.nio.file.FileSystemException e) {
            if (e instanceof java.nio.file.AccessDeniedException) {
                throw new ImportException(file, null, "the file cannot be read (access denied)", e);
            }
            // ELOOP from O_NOFOLLOW: the file was replaced by a link after listing.
            throw new ImportException(file, null, "cannot open the file (" + e.getReason()
                    + "); links are refused in image folders", e);
        }
    }

    private static ImportException changed(Path file, long listed, long now) {
        return new ImportException(file, null, "the file changed after it was listed: " + listed
                + " bytes then, " + now + " now");
    }

    @Override
    public void close() {
    }
}
