package dev.lode.engine;

import dev.lode.engine.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Refs as small files holding a commit id, logs as JSON lines beside them. A compare-and-set holds an operating
 * system lock on {@code refs.lock} (released by the kernel if the process dies, so a killed process never leaves
 * a stale lock), compares, appends the log entry, then renames a fsynced new file over the ref.
 */
final class LocalRefStore implements RefStore {
    /** One in-process lock per lock file: the OS lock is per process, so threads must also queue. */
    private static final ConcurrentHashMap<Path, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final Path root;
    private final Path lockFile;

    LocalRefStore(Path root) throws IOException {
        this.root = requireNonNull(root, "root is null");
        this.lockFile = root.resolve("refs.lock");
        Files.createDirectories(root.resolve("refs"));
        Files.createDirectories(root.resolve("logs"));
    }

    private Path refFile(RefName name) {
        return root.resolve(name.path());
    }

    private Path logFile(RefName name) {
        return root.resolve("logs").resolve(name.path().substring("refs/".length()));
    }

    @Override
    public Optional<ObjectId> read(RefName name) throws IOException {
        return readFile(refFile(name));
    }

    private static Optional<ObjectId> readFile(Path file) throws IOException {
        byte[] bytes;
        // A ref is 65 bytes; reading one more than that is enough to reject a huge file without loading it.
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(ObjectId.HEX_LENGTH + 2);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (text.length() != ObjectId.HEX_LENGTH + 1 || text.charAt(ObjectId.HEX_LENGTH) != '\n'
                || !ObjectId.isValid(text.substring(0, ObjectId.HEX_LENGTH))) {
            throw new LodeException("Corrupt ref file " + file + ": expected 64 hexadecimal digits and a newline");
        }
        return Optional.of(ObjectId.parse(text.substring(0, ObjectId.HEX_LENGTH)));
    }

    @Override
    public CasResult compareAndSet(RefName name, ObjectId expected, ObjectId update, RefLogEntry entry)
            throws IOException {
        requireNonNull(name, "name is null");
        requireNonNull(entry, "entry is null");
        try {
            return lockedCompareAndSet(name, expected, update, entry);
        } catch (IOException e) {
            throw StorageFailures.check(e, refFile(name));
        }
    }

    private CasResult lockedCompareAndSet(RefName name, ObjectId expected, ObjectId update, RefLogEntry entry)
            throws IOException {
        ReentrantLock processLock = PROCESS_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(),
                path -> new ReentrantLock());
        processLock.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            Path file = refFile(name);
            Optional<ObjectId> current = readFile(file);
            if (!current.equals(Optional.ofNullable(expected))) {
                return CasResult.CONFLICT;
            }
            if (current.equals(Optional.ofNullable(update))) {
                return CasResult.NO_CHANGE;
            }
            CrashPoints.reached("before ref log append", logFile(name));
            appendLog(name, entry);
            CrashPoints.reached("after ref log append", logFile(name));
            if (update == null) {
                Files.delete(file);
                CrashPoints.reached("after ref delete", file);
                FileSync.folder(file.getParent());
                return CasResult.SUCCESS;
            }
            Files.createDirectories(file.getParent());
            // ".lock" ends no valid name (Names), so a file left by a crash before the rename is never read as a ref.
            Path next = file.resolveSibling(file.getFileName() + ".lock");
            Files.writeString(next, update.hex() + "\n", StandardCharsets.US_ASCII);
            CrashPoints.reached("before fsync", next);
            FileSync.file(next);
            CrashPoints.reached("before ref rename", file);
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            CrashPoints.reached("after ref rename", file);
            FileSync.folder(file.getParent());
            CrashPoints.reached("after ref compare-and-set", file);
            return CasResult.SUCCESS;
        } finally {
            processLock.unlock();
        }
    }

    private void appendLog(RefName name, RefLogEntry entry) throws IOException {
        Path log = logFile(name);
        Files.createDirectories(log.getParent());
        byte[] line = (entry.toJson().toString() + "\n").getBytes(StandardCharsets.UTF_8);
        // Not APPEND (which excludes READ): writers hold refs.lock, so writing at the end is appending.
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            channel.position(channel.size());
            if (endsTorn(channel)) {
                // A crash or a full disk cut the last line short: end it, or this entry would be glued to it
                // and skipped with it when the log is read.
                channel.write(java.nio.ByteBuffer.wrap(new byte[] {'\n'}));
            }
            channel.write(java.nio.ByteBuffer.wrap(line));
            channel.force(true);
        }
    }

    private static boolean endsTorn(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0) {
            return false;
        }
        java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
        channel.read(last, size - 1);
        return last.get(0) != '\n';
    }

    @Override
    public void list(Consumer<Ref> action) throws IOException {
        walk(root.resolve("refs"), (name, file) -> readFile(file).ifPresent(id -> action.accept(new Ref(name, id))));
    }

    @Override
    public List<RefLogEntry> log(RefName name) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(logFile(name), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<RefLogEntry> entries = new ArrayList<>(lines.size());
        for (String line : lines) {
            if (!line.isBlank()) {
                // A line cut short by a crash during append is skipped: the ref itself never moved after it.
                try {
                    entries.add(RefLogEntry.fromJson(Json.parse(line)));
                } catch (RuntimeException torn) {
                    continue;
                }
            }
        }
        return entries;
    }

    @Override
    public void listLogged(Consumer<RefName> action) throws IOException {
        walk(root.resolve("logs"), (name, file) -> action.accept(name));
    }

    private interface RefFileVisitor {
        void visit(RefName name, Path file) throws IOException;
    }

    private static void walk(Path top, RefFileVisitor visitor) throws IOException {
        if (!Files.isDirectory(top)) {
            return;
        }
        try (DirectoryStream<Path> datasets = Files.newDirectoryStream(top)) {
            for (Path dataset : datasets) {
                for (RefName.Kind kind : RefName.Kind.values()) {
                    Path folder = dataset.resolve(kind.folder());
                    if (!Files.isDirectory(folder)) {
                        continue;
                    }
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                        for (Path file : files) {
                            RefName name = RefName.fromRelativePath(dataset.getFileName() + "/" + kind.folder()
                                    + "/" + file.getFileName());
                            if (name != null) {
                                visitor.visit(name, file);
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public String describe() {
        return root.toString();
    }
}
