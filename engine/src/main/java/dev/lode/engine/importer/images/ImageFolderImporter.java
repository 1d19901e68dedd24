package dev.lode.engine.importer.images;

import dev.lode.engine.Fragmenting;
import dev.lode.engine.LodeException;
import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.Importer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * Imports image folders in the torchvision ImageFolder layout, {@code root/<class>/<image>}, one row per image.
 *
 * <h2>Columns</h2>
 * {@code image} (binary: the encoded file bytes, never decoded), {@code label} (utf8: the class folder's name),
 * {@code label_index} (int64: the label's index in the sorted list of classes of all roots together, so a label has
 * the same index in every root), {@code path} (utf8: the path relative to its root, '/'-separated), {@code width}
 * and {@code height} (int32, nullable: from the PNG IHDR, JPEG SOFn, GIF, BMP or WebP header, read without
 * decoding; null is reserved for formats whose header is not parsed, and every accepted format today is). The label
 * is plain utf8 in Arrow; Parquet dictionary-encodes it on disk, which gives the space saving of a dictionary type
 * without the schema carrying one. The {@code image} field carries {@link Fragmenting#ROW_BYTES_HINT}: the mean
 * file size over all roots, rounded down to a power of two, so fragments of images are sized sensibly.
 *
 * <h2>Order</h2>
 * Roots in the order given; within a root by class name, then by relative path, both compared by Unicode code
 * point, so the order is the same on every file system. No absolute path, time stamp or owner reaches a value.
 *
 * <h2>Which files</h2>
 * Regular files whose extension is png, jpg, jpeg, gif, bmp or webp (any case). Class folders may hold
 * subfolders; their images belong to the class. Names starting with '.' (files and folders) are skipped, as are
 * files with other extensions (README, Thumbs.db, labels.txt). An image file directly under a root, a root with no
 * class folder, and a class folder with no image are errors.
 *
 * <h2>Untrusted input</h2>
 * The roots themselves are resolved to their real paths (the caller chose them). Inside a root, symbolic links are
 * never followed: a linked file or folder is an error naming it, files are opened with
 * {@link LinkOption#NOFOLLOW_LINKS} and their real path must equal the listed one; names with control characters
 * are refused; pipes, devices and sockets are refused; an image may be at most {@value #MAX_IMAGE_BYTES} bytes.
 * The format is recognised by its signature, not its extension; an image file whose header is missing, truncated
 * or inconsistent is an error naming the byte offset, never a silent null. A file whose size changed between
 * listing and reading is an error.
 *
 * <h2>Resources</h2>
 * Listing only stats files; each file is then read once, in batches of at most {@value ImageFolderTable#BATCH_ROWS}
 * rows or about {@value ImageFolderTable#BATCH_BYTES} bytes, so one pass over the bytes.
 */
public final class ImageFolderImporter implements Importer {
    static final long MAX_IMAGE_BYTES = 1L << 30;
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "gif", "bmp", "webp");

    /**
     * One image to read: its real path, the path as the user named it (for messages), what its row says about it,
     * and its size when listed.
     */
    record ImageFile(Path file, Path shown, String relativePath, String label, long size) {
    }

    public ImageFolderImporter() {
    }

    @Override
    public String name() {
        return "imagefolder";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public boolean detects(Path file, byte[] head) {
        return Files.isDirectory(file);
    }

    @Override
    public ImportTable open(List<Path> sources, ImportOptions options, ImportContext context) throws IOException {
        requireNonNull(sources, "sources is null");
        requireNonNull(options, "options is null");
        requireNonNull(context, "context is null");
        if (sources.isEmpty()) {
            throw new LodeException("No folders to import");
        }
        options.requireKnown(name(), java.util.Set.of());
        List<ImageFile> images = new ArrayList<>();
        for (Path source : sources) {
            images.addAll(list(source));
        }
        TreeSet<String> classes = new TreeSet<>(ImageFolderImporter::compareCodePoints);
        long totalBytes = 0;
        for (ImageFile image : images) {
            classes.add(image.label());
            totalBytes += image.size();
        }
        long meanBytes = Long.highestOneBit(Math.max(1, totalBytes / images.size()));
        Schema schema = new Schema(List.of(
                new Field("image", new FieldType(false, ArrowType.Binary.INSTANCE, null,
                        Map.of(Fragmenting.ROW_BYTES_HINT, Long.toString(meanBytes))), null),
                Field.notNullable("label", ArrowType.Utf8.INSTANCE),
                Field.notNullable("label_index", new ArrowType.Int(64, true)),
                Field.notNullable("path", ArrowType.Utf8.INSTANCE),
                Field.nullable("width", new ArrowType.Int(32, true)),
                Field.nullable("height", new ArrowType.Int(32, true))));
        return new ImageFolderTable(schema, images, new ArrayList<>(classes), context);
    }

    /** The images under one root in row order; stats only, reads no file. */
    private static List<ImageFile> list(Path source) throws IOException {
        BasicFileAttributes rootAttributes;
        Path root;
        try {
            rootAttributes = Files.readAttributes(source, BasicFileAttributes.class);
            root = source.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ImportException(source, null, "no such folder", e);
        }
        if (!rootAttributes.isDirectory()) {
            throw new ImportException(source, null, "not a folder; the imagefolder format reads root/<class>/<image>");
        }
        List<ImageFile> images = new ArrayList<>();
        for (Path classFolder : children(root, source, root)) {
            BasicFileAttributes attributes = attributesOf(source, root, classFolder);
            if (attributes.isRegularFile()) {
                if (isImage(classFolder)) {
                    throw new ImportException(display(source, root, classFolder), null,
                            "an image directly under the root; images must be in class folders, root/<class>/<image>");
                }
                continue;
            }
            List<ImageFile> ofClass = listClass(source, root, classFolder);
            if (ofClass.isEmpty()) {
                throw new ImportException(display(source, root, classFolder), null, "no images under this class folder");
            }
            images.addAll(ofClass);
        }
        if (images.isEmpty()) {
            throw new ImportException(source, null, "no images under this folder; expected root/<class>/<image>");
        }
        return images;
    }

    private static List<ImageFile> listClass(Path source, Path root, Path classFolder) throws IOException {
        String label = classFolder.getFileName().toString();
        List<ImageFile> images = new ArrayList<>();
        Deque<Path> folders = new ArrayDeque<>();
        folders.push(classFolder);
        while (!folders.isEmpty()) {
            Path folder = folders.pop();
            for (Path child : children(folder, source, root)) {
                BasicFileAttributes attributes = attributesOf(source, root, child);
                if (attributes.isDirectory()) {
                    folders.push(child);
                } else if (isImage(child)) {
                    if (attributes.size() > MAX_IMAGE_BYTES) {
                        throw new ImportException(display(source, root, child), null, "the image has "
                                + attributes.size() + " bytes, more than the limit of " + MAX_IMAGE_BYTES);
                    }
                    images.add(new ImageFile(child, display(source, root, child), relative(root, child), label,
                            attributes.size()));
                }
            }
        }
        images.sort(Comparator.comparing(ImageFile::relativePath, ImageFolderImporter::compareCodePoints));
        return images;
    }

    /** The visible entries of a folder, with their names checked; sorted so that errors are deterministic too. */
    private static List<Path> children(Path folder, Path source, Path root) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
            for (Path child : stream) {
                String name = child.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                for (int i = 0; i < name.length(); i++) {
                    if (Character.isISOControl(name.charAt(i))) {
                        throw new ImportException(display(source, root, folder), null, String.format(
                                "an entry's name holds control character U+%04X; such names are refused",
                                (int) name.charAt(i)));
                    }
                }
                Path normalized = child.normalize();
                if (!normalized.startsWith(root) || normalized.equals(root)) {
                    throw new ImportException(display(source, root, child), null, "the path escapes the root");
                }
                children.add(normalized);
            }
        }
        children.sort(Comparator.comparing(child -> child.getFileName().toString(),
                ImageFolderImporter::compareCodePoints));
        return children;
    }

    private static BasicFileAttributes attributesOf(Path source, Path root, Path entry) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink()) {
            throw new ImportException(display(source, root, entry), null,
                    "a symbolic link; links are refused in image folders (untrusted input)");
        }
        if (!attributes.isDirectory() && !attributes.isRegularFile()) {
            throw new ImportException(display(source, root, entry), null,
                    "neither a regular file nor a folder (a pipe, device or socket)");
        }
        return attributes;
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String relative(Path root, Path file) {
        List<String> names = new ArrayList<>();
        root.relativize(file).forEach(name -> names.add(name.toString()));
        return String.join("/", names);
    }

    /** The entry as the user named it: under the source path they gave, not its resolved real path. */
    static Path display(Path source, Path root, Path entry) {
        return source.resolve(root.relativize(entry));
    }

    /** Orders strings by Unicode code point (String.compareTo orders by UTF-16 unit, which differs above U+FFFF). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
