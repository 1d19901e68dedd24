package dev.lode.engine;

import dev.lode.engine.importer.ImportException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Hashes a source file (or names why it cannot). */
final class SourceHashing {
    private SourceHashing() {
    }

    static ObjectId hash(Path source) throws IOException {
        if (!Files.isRegularFile(source)) {
            if (!Files.exists(source)) {
                throw new ImportException(source, null, "no such file");
            }
            throw new ImportException(source, null, "not a regular file");
        }
        try {
            return ObjectDatabase.hashFile(source);
        } catch (NoSuchFileException e) {
            throw new ImportException(source, null, "no such file");
        } catch (AccessDeniedException e) {
            throw new ImportException(source, null, "permission denied");
        }
    }

    static long size(Path source) throws IOException {
        return Files.isRegularFile(source) ? Files.size(source) : 0;
    }
}
