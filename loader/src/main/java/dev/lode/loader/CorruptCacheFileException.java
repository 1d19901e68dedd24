package dev.lode.loader;

import java.io.IOException;
import java.nio.file.Path;

/** A fragment cache file that is not whole and intact; the cache deletes it and decodes the fragment again. */
final class CorruptCacheFileException extends IOException {
    CorruptCacheFileException(Path file, String reason) {
        super("Cache file " + file + " " + reason);
    }
}
