package dev.lode.engine.importer.images;

import dev.lode.engine.Fragmenting;
import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.parquet.FragmentReader;
import dev.lode.engine.parquet.FragmentWriter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderImporterTest {
    @TempDir
    Path directory;

    /** One imported row; the image as hex so rows compare by value. */
    record Row(String image, String label, long labelIndex, String path, Integer width, Integer height) {
    }

    record Imported(Schema schema, List<Row> rows, int batches, long bytesRead) {
    }

    static byte[] encode(String format, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                image.setRGB(x, y, (x * 31 + y * 17) * 0x010203);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertTrue(ImageIO.write(image, format, out), "no ImageIO writer for " + format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static Path write(Path root, String relative, byte[] bytes) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }

    private static Row row(Path root, String relative, String label, long index, Integer width, Integer height)
            throws IOException {
        return new Row(HexFormat.of().formatHex(Files.readAllBytes(root.resolve(relative))), label, index, relative,
                width, height);
    }

    static Imported load(Path... roots) throws IOException {
        List<Row> rows = new ArrayList<>();
        int[] batches = {0};
        AtomicLong bytes = new AtomicLong();
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new ImageFolderImporter().open(List.of(roots), ImportOptions.none(),
                     new ImportContext(allocator, 1, bytes::addAndGet))) {
            table.read(batch -> {
                batches[0]++;
                rows.addAll(rows(batch));
            });
            return new Imported(table.schema(), rows, batches[0], bytes.get());
        }
    }

    static List<Row> rows(VectorSchemaRoot batch) {
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < batch.getRowCount(); r++) {
            rows.add(new Row(HexFormat.of().formatHex((byte[]) batch.getVector("image").getObject(r)),
                    batch.getVector("label").getObject(r).toString(),
                    (Long) batch.getVector("label_index").getObject(r),
                    batch.getVector("path").getObject(r).toString(),
                    (Integer) batch.getVector("width").getObject(r),
                    (Integer) batch.getVector("height").getObject(r)));
        }
        return rows;
    }

    private static String failure(Path... roots) {
        return assertThrows(ImportException.class, () -> load(roots)).getMessage();
    }

    /** A folder with every format, a nested folder, and files that must be skipped. */
    private Path sampleFolder(Path root) throws IOException {
        write(root, "cat/b.png", encode("png", 3, 2));
        write(root, "cat/a.jpg", encode("jpg", 5, 4));
        write(root, "cat/notes.txt", "not an image".getBytes());
        write(root, "cat/.hidden.png", "skipped, so never parsed".getBytes());
        write(root, "dog/sub/c.PNG", encode("png", 1, 1));
        write(root, "dog/a.gif", encode("gif", 7, 6));
        write(root, "ant/z.bmp", encode("bmp", 2, 3));
        write(root, "ant/y.JPEG", encode("jpg", 9, 8));
        write(root, ".git/objects/x.png", "skipped".getBytes());
        write(root, "README.md", "a data set".getBytes());
        return root;
    }

    @Test
    void oneRowPerImageInClassThenPathOrderWithHeaderDimensions() throws IOException {
        Path root = sampleFolder(directory.resolve("root"));
        Imported imported = load(root);
        assertEquals(List.of(
                row(root, "ant/y.JPEG", "ant", 0, 9, 8),
                row(root, "ant/z.bmp", "ant", 0, 2, 3),
                row(root, "cat/a.jpg", "cat", 1, 5, 4),
                row(root, "cat/b.png", "cat", 1, 3, 2),
                row(root, "dog/a.gif", "dog", 2, 7, 6),
                row(root, "dog/sub/c.PNG", "dog", 2, 1, 1)), imported.rows());
        List<Field> fields = imported.schema().getFields();
        assertEquals(List.of("image", "label", "label_index", "path", "width", "height"),
                fields.stream().map(Field::getName).toList());
        assertEquals(ArrowType.Binary.INSTANCE, fields.get(0).getType());
        assertEquals(ArrowType.Utf8.INSTANCE, fields.get(1).getType());
        assertEquals(new ArrowType.Int(64, true), fields.get(2).getType());
        assertEquals(new ArrowType.Int(32, true), fields.get(4).getType());
        assertFalse(fields.get(0).isNullable());
        assertTrue(fields.get(4).isNullable());
        long total = 0;
        for (Row row : imported.rows()) {
            total += row.image().length() / 2;
        }
        assertEquals(total, imported.bytesRead(), "each image's bytes are reported once");
    }

    @Test
    void rootsAreConcatenatedAndShareOneClassList() throws IOException {
        Path train = directory.resolve("train");
        Path val = directory.resolve("val");
        write(train, "dog/1.png", encode("png", 1, 2));
        write(train, "cat/1.png", encode("png", 3, 4));
        write(val, "cat/2.png", encode("png", 5, 6));
        write(val, "bird/1.png", encode("png", 7, 8));
        assertEquals(List.of(
                row(train, "cat/1.png", "cat", 1, 3, 4),
                row(train, "dog/1.png", "dog", 2, 1, 2),
                row(val, "bird/1.png", "bird", 0, 7, 8),
                row(val, "cat/2.png", "cat", 1, 5, 6)), load(train, val).rows());
    }

    @Test
    void classesAndPathsSortByCodePoint() {
        assertTrue(ImageFolderImporter.compareCodePoints("Zebra", "apple") < 0);
        assertTrue(ImageFolderImporter.compareCodePoints("a", "ab") < 0);
        assertEquals(0, ImageFolderImporter.compareCodePoints("same", "same"));
        // U+FF21 sorts before U+1F600 by code point, after it by UTF-16 unit (String.compareTo).
        String fullwidth = "\uFF21";
        String emoji = new String(Character.toChars(0x1F600));
        assertTrue(ImageFolderImporter.compareCodePoints(fullwidth, emoji) < 0);
        assertTrue(fullwidth.compareTo(emoji) > 0);
    }

    @Test
    void imageFieldCarriesTheMeanSizeRoundedDownToAPowerOfTwo() throws IOException {
        Path root = directory.resolve("root");
        byte[] png = encode("png", 1, 1);
        // Bytes after IEND do not change the header, so pad the files to sizes 1000, 2000 and 3000: mean 2000.
        write(root, "a/1.png", Arrays.copyOf(png, 1000));
        write(root, "a/2.png", Arrays.copyOf(png, 2000));
        write(root, "b/1.png", Arrays.copyOf(png, 3000));
        Schema schema = load(root).schema();
        assertEquals(Map.of(Fragmenting.ROW_BYTES_HINT, "1024"), schema.getFields().getFirst().getMetadata());
        assertTrue(Fragmenting.rowsPerFragment(schema) <= Fragmenting.TARGET_BYTES / 1024);
    }

    @Test
    void sameFolderElsewhereGivesTheSameRows() throws IOException {
        Path original = sampleFolder(directory.resolve("one"));
        Path copy = directory.resolve("two/deeper/copy");
        try (var files = Files.walk(original)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                write(copy, original.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        Imported first = load(original);
        Imported second = load(copy);
        assertEquals(first.schema(), second.schema());
        assertEquals(first.rows(), second.rows());
    }

    @Test
    void readsInBatchesOfAtMost256Rows() throws IOException {
        Path root = directory.resolve("root");
        byte[] png = encode("png", 2, 2);
        for (int i = 0; i < 300; i++) {
            write(root, "c" + (i % 3) + "/" + String.format("%03d", i) + ".png", png);
        }
        Imported imported = load(root);
        assertEquals(300, imported.rows().size());
        assertEquals(2, imported.batches());
        assertEquals(300L * png.length, imported.bytesRead());
        assertEquals("c0/000.png", imported.rows().getFirst().path());
        assertEquals("c2/299.png", imported.rows().getLast().path());
    }

    @Test
    void symlinkedFilesAreRefused() throws IOException {
        Path root = directory.resolve("root");
        write(root, "cat/1.png", encode("png", 1, 1));
        Path outside = write(directory, "secret.png", encode("png", 1, 1));
        Files.createSymbolicLink(root.resolve("cat/2.png"), outside);
        assertEquals("Cannot import " + root.resolve("cat/2.png")
                + ": a symbolic link; links are refused in image folders (untrusted input)", failure(root));
    }

    @Test
    void symlinkedFoldersAreRefused() throws IOException {
        Path root = directory.resolve("root");
        write(root, "cat/1.png", encode("png", 1, 1));
        Path outside = directory.resolve("elsewhere");
        write(outside, "1.png", encode("png", 1, 1));
        Files.createSymbolicLink(root.resolve("dog"), outside);
        assertEquals("Cannot import " + root.resolve("dog")
                + ": a symbolic link; links are refused in image folders (untrusted input)", failure(root));
        Files.delete(root.resolve("dog"));
        Files.createSymbolicLink(root.resolve("cat/nested"), outside);
        assertEquals("Cannot import " + root.resolve("cat/nested")
                + ": a symbolic link; links are refused in image folders (untrusted input)", failure(root));
    }

    @Test
    void namesWithControlCharactersAreRefused() throws IOException {
        Path root = directory.resolve("root");
        write(root, "cat/bad\u0007name.png", encode("png", 1, 1));
        assertEquals("Cannot import " + root.resolve("cat") + ": an entry's name holds control character U+0007;"
                + " such names are refused", failure(root));
    }

    @Test
    void imagesDirectlyUnderTheRootAreRefused() throws IOException {
        Path root = directory.resolve("root");
        write(root, "cat/1.png", encode("png", 1, 1));
        write(root, "stray.jpg", encode("jpg", 1, 1));
        assertEquals("Cannot import " + root.resolve("stray.jpg") + ": an image directly under the root; images"
                + " must be in class folders, root/<class>/<image>", failure(root));
    }

    @Test
    void aClassWithoutImagesIsRefused() throws IOException {
        Path root = directory.resolve("root");
        write(root, "cat/1.png", encode("png", 1, 1));
        write(root, "dog/notes.txt", "no images here".getBytes());
        assertEquals("Cannot import " + root.resolve("dog") + ": no images under this class folder", failure(root));
    }

    @Test
    void aRootWithoutImagesIsRefused() throws IOException {
        Path root = Files.createDirectories(directory.resolve("root"));
        assertEquals("Cannot import " + root + ": no images under this folder; expected root/<class>/<image>",
                failure(root));
        write(root, "README.md", "only text".getBytes());
        assertEquals("Cannot import " + root + ": no images under this folder; expected root/<class>/<image>",
                failure(root));
    }

    @Test
    void aMissingRootOrAFileAsRootIsRefused() throws IOException {
        Path missing = directory.resolve("missing");
        assertEquals("Cannot import " + missing + ": no such folder", failure(missing));
        Path file = write(directory, "file.png", encode("png", 1, 1));
        assertEquals("Cannot import " + file + ": not a folder; the imagefolder format reads root/<class>/<image>",
                failure(file));
    }

    @Test
    void aPngWithoutItsSignatureIsAnError() throws IOException {
        Path root = directory.resolve("root");
        write(root, "cat/1.png", encode("png", 1, 1));
        write(root, "cat/2.png", "hello, not a png".getBytes());
        assertEquals("Cannot import " + root.resolve("cat/2.png") + ": byte 0: no PNG, JPEG, GIF, BMP or WebP"
                + " signature", failure(root));
    }

    @Test
    void aTruncatedPngHeaderIsAnError() throws IOException {
        Path root = directory.resolve("root");
        write(root, "cat/1.png", Arrays.copyOf(encode("png", 1, 1), 20));
        assertEquals("Cannot import " + root.resolve("cat/1.png") + ": byte 20: truncated PNG header: needs at"
                + " least 24 bytes, the file has 20", failure(root));
    }

    @Test
    void aTruncatedJpegHeaderIsAnError() throws IOException {
        Path root = directory.resolve("root");
        byte[] jpeg = encode("jpg", 4, 4);
        // SOI, then the 18-byte JFIF APP0 segment, then DQT at byte 20: cut inside the DQT.
        assertEquals(0xE0, jpeg[3] & 0xFF);
        assertEquals(0xDB, jpeg[21] & 0xFF);
        write(root, "cat/1.jpg", Arrays.copyOf(jpeg, 30));
        assertEquals("Cannot import " + root.resolve("cat/1.jpg") + ": byte 30: truncated JPEG header: the segment"
                + " 0xFFDB at byte 20 runs past the end", failure(root));
        write(root, "cat/1.jpg", Arrays.copyOf(jpeg, 3));
        assertEquals("Cannot import " + root.resolve("cat/1.jpg") + ": byte 3: truncated JPEG header: the file ends"
                + " inside a marker", failure(root));
    }

    @Test
    void webpAndTopDownBmpHeadersGiveDimensions() {
        byte[] vp8x = new byte[30];
        System.arraycopy("RIFF".getBytes(), 0, vp8x, 0, 4);
        System.arraycopy("WEBPVP8X".getBytes(), 0, vp8x, 8, 8);
        vp8x[24] = (byte) 199; // width - 1 = 199
        vp8x[27] = 0x2B;       // height - 1 = 299 = 0x012B
        vp8x[28] = 0x01;
        assertEquals(new ImageHeaders.Dimensions(200, 300), ImageHeaders.read(Path.of("x.webp"), vp8x));
        byte[] bmp = new byte[26];
        bmp[0] = 'B';
        bmp[1] = 'M';
        bmp[14] = 40;
        bmp[18] = 5;
        bmp[22] = -7; // height -7: seven rows, top-down
        bmp[23] = -1;
        bmp[24] = -1;
        bmp[25] = -1;
        assertEquals(new ImageHeaders.Dimensions(5, 7), ImageHeaders.read(Path.of("x.bmp"), bmp));
    }

    @Test
    void detectsFoldersOnly() throws IOException {
        Path file = write(directory, "a.png", encode("png", 1, 1));
        assertTrue(new ImageFolderImporter().detects(directory, new byte[0]));
        assertFalse(new ImageFolderImporter().detects(file, Files.readAllBytes(file)));
    }

    @Test
    void roundTripsThroughAFragment() throws IOException {
        Path root = sampleFolder(directory.resolve("root"));
        Path fragment = directory.resolve("fragment.parquet");
        List<Row> written = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new ImageFolderImporter().open(List.of(root), ImportOptions.none(),
                     new ImportContext(allocator, 1, bytes -> { }))) {
            try (FragmentWriter writer = FragmentWriter.create(table.schema(), fragment)) {
                table.read(batch -> {
                    writer.write(batch, 0, batch.getRowCount());
                    written.addAll(rows(batch));
                });
                writer.finish();
            }
            Schema read = FragmentReader.readSchema(fragment);
            assertEquals(table.schema().getFields().getFirst().getMetadata(),
                    read.getFields().getFirst().getMetadata());
            List<Row> back = new ArrayList<>();
            FragmentReader.read(fragment, allocator, 2, batch -> back.addAll(rows(batch)));
            assertEquals(written, back);
            assertEquals(6, back.size());
        }
    }
}
