package dev.lode.engine.importer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Converts legacy files of one format into Arrow record batches. An importer is deterministic: the same sources
 * and {@link ImportOptions} give the same schema and the same values in the same order, whatever the
 * {@link ImportContext} (thread count, allocator) and wherever the files are. Its {@link #version()} changes
 * whenever a change to it could change those values, because the conversion cache and lineage record it.
 */
public interface Importer {

    /** The format name used by {@code --format} and recorded in lineage, such as "csv". */
    String name();

    /** The version of this importer's conversion rules, recorded in lineage. */
    String version();

    /**
     * Whether this importer recognises a file from its name and its first bytes (up to 64 KiB, fewer for short
     * files). Used for auto-detection when no {@code --format} is given.
     */
    boolean detects(Path file, byte[] head);

    /**
     * How many times an import reads its sources through, each time reporting the bytes to
     * {@link ImportContext#bytesRead()}: progress totals are the source size times this.
     */
    default int passes() {
        return 1;
    }

    /** Whether the file's name ends, ignoring case, with one of the extensions (given with their dot). */
    static boolean hasExtension(Path file, String... extensions) {
        Path name = file.getFileName();
        String lower = name == null ? "" : name.toString().toLowerCase(java.util.Locale.ROOT);
        for (String extension : extensions) {
            if (lower.endsWith(extension)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Opens the sources, in the order given, as one table. Reads as much as needed to fix the schema (a CSV is
     * read through once to infer types). Bad input throws {@link ImportException} naming the file, the line or
     * byte offset, and the reason.
     */
    ImportTable open(List<Path> sources, ImportOptions options, ImportContext context) throws IOException;
}
