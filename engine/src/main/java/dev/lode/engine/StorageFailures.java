package dev.lode.engine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * Names the two storage failures a user can act on: a full disk and a read-only repository. The operating system
 * reports ENOSPC as a bare "No space left on device" without a path, so the write paths of the local stores and of
 * imports pass their failures through {@link #check} with the file they were writing.
 */
final class StorageFailures {
    private StorageFailures() {
    }

    /**
     * Throws a {@link LodeException} that says what happened where when {@code failure} is a full disk or a
     * read-only (or not writable) repository; otherwise returns it for the caller to throw.
     */
    static IOException check(IOException failure, Path path) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
                throw new LodeException("no space left on device writing " + where(cause, path)
                        + "; no ref was changed, free some space and run the command again", failure);
            }
            if (cause instanceof AccessDeniedException || (cause instanceof FileSystemException fileSystem
                    && String.valueOf(fileSystem.getReason()).contains("Read-only file system"))) {
                throw new LodeException("repository is read-only: " + where(cause, path)
                        + " cannot be written; no ref was changed", failure);
            }
        }
        return failure;
    }

    private static String where(Throwable cause, Path path) {
        if (cause instanceof FileSystemException fileSystem && fileSystem.getFile() != null) {
            return fileSystem.getFile();
        }
        return String.valueOf(path);
    }
}
