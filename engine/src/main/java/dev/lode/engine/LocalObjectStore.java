package dev.lode.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Objects as files {@code objects/ab/cdef…} under a repository folder. A put links (or copies, then renames) a
 * complete, fsynced file into place, so a reader never sees part of an object, even after a crash.
 */
final class LocalObjectStore implements ObjectStore {
    private final Path objects;
    private final Path temporary;

    LocalObjectStore(Path root) throws IOException {
        requireNonNull(root, "root is null");
        this.objects = root.resolve("objects");
        this.temporary = root.resolve("tmp");
        Files.createDirectories(objects);
        Files.createDirectories(temporary);
    }

    Path pathOf(ObjectId id) {
        return objects.resolve(id.hex().substring(0, 2)).resolve(id.hex().substring(2));
    }

    @Override
    public Optional<InputStream> open(ObjectId id) throws IOException {
        try {
            return Optional.of(Files.newInputStream(pathOf(id)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<ObjectInfo> stat(ObjectId id) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(pathOf(id), BasicFileAttributes.class);
            return Optional.of(new ObjectInfo(id, attributes.size(), attributes.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean putIfAbsent(ObjectId id, Path file) throws IOException {
        try {
            return put(id, file);
        } catch (IOException e) {
            throw StorageFailures.check(e, pathOf(id));
        }
    }

    private boolean put(ObjectId id, Path file) throws IOException {
        Path target = pathOf(id);
        if (Files.exists(target)) {
            touch(id);
            return false;
        }
        Files.createDirectories(target.getParent());
        CrashPoints.reached("before fsync", file);
        FileSync.file(file);
        CrashPoints.reached("after fsync", file);
        try {
            // A hard link is atomic and fails if the target exists: put-if-absent in one system call.
            Files.createLink(target, file);
            CrashPoints.reached("after hard link", target);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(target)) {
                return false;
            }
            Path copy = temporary.resolve("put-" + UUID.randomUUID());
            try {
                Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                FileSync.file(copy);
                try {
                    CrashPoints.reached("before rename", target);
                    Files.move(copy, target, StandardCopyOption.ATOMIC_MOVE);
                    CrashPoints.reached("after rename", target);
                } catch (AtomicMoveNotSupportedException notAtomic) {
                    throw new IOException("Cannot store object " + id + " in " + objects
                            + ": the file system cannot rename atomically", notAtomic);
                }
            } finally {
                Files.deleteIfExists(copy);
            }
        }
        FileSync.folder(target.getParent());
        CrashPoints.reached("after folder fsync", target.getParent());
        return true;
    }

    @Override
    public void touch(ObjectId id) throws IOException {
        try {
            Files.setLastModifiedTime(pathOf(id), java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
        } catch (NoSuchFileException e) {
            // Deleted meanwhile: the caller's put will write it again.
        }
    }

    @Override
    public void list(Consumer<ObjectInfo> action) throws IOException {
        try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(objects)) {
            for (Path prefix : prefixes) {
                String head = prefix.getFileName().toString();
                if (head.length() != 2 || !Files.isDirectory(prefix)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
                    for (Path file : files) {
                        String hex = head + file.getFileName();
                        if (!ObjectId.isValid(hex)) {
                            continue;
                        }
                        BasicFileAttributes attributes;
                        try {
                            attributes = Files.readAttributes(file, BasicFileAttributes.class);
                        } catch (NoSuchFileException deletedMeanwhile) {
                            continue;
                        }
                        action.accept(new ObjectInfo(ObjectId.parse(hex), attributes.size(),
                                attributes.lastModifiedTime().toInstant()));
                    }
                }
            }
        }
    }

    @Override
    public boolean delete(ObjectId id) throws IOException {
        CrashPoints.reached("before delete", pathOf(id));
        boolean deleted;
        try {
            deleted = Files.deleteIfExists(pathOf(id));
        } catch (IOException e) {
            throw StorageFailures.check(e, pathOf(id));
        }
        CrashPoints.reached("after delete", pathOf(id));
        return deleted;
    }

    @Override
    public String describe() {
        return objects.toString();
    }
}
