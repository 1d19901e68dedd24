package dev.lode.engine.importer.numpy;

import dev.lode.engine.importer.ImportException;

import java.nio.file.Path;

/** Where an array comes from: a .npy file, or one member of a .npz file (member is null for a .npy). */
record Origin(Path file, String member) {

    /** An error at a byte offset inside the .npy data (the member's own offsets for a .npz member). */
    ImportException at(long byteOffset, String reason) {
        return new ImportException(file, (member == null ? "" : "member " + member + ", ") + "byte " + byteOffset,
                reason);
    }

    /** An error about the whole array (the member for a .npz, no location for a .npy). */
    ImportException whole(String reason) {
        return new ImportException(file, member == null ? null : "member " + member, reason);
    }

    /** The column name: the file or member name without its .npy (or .npz) extension. */
    String columnName() {
        String name = member != null ? member : String.valueOf(file.getFileName());
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
