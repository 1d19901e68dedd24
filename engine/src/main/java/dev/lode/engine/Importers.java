package dev.lode.engine;

import dev.lode.engine.importer.Importer;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.csv.CsvImporter;
import dev.lode.engine.importer.hdf5.Hdf5Importer;
import dev.lode.engine.importer.matlab.MatImporter;
import dev.lode.engine.importer.images.ImageFolderImporter;
import dev.lode.engine.importer.json.JsonImporter;
import dev.lode.engine.importer.numpy.NpyImporter;
import dev.lode.engine.parquet.ArrowIpcImporter;
import dev.lode.engine.parquet.ParquetImporter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The importers Lode knows, and format detection by magic bytes and extension. */
public final class Importers {
    private static final int HEAD_BYTES = 64 * 1024;

    private Importers() {
    }

    /** Every importer, most specific detection first (folders, then binary magic, then text heuristics). */
    public static List<Importer> all() {
        return List.of(new ImageFolderImporter(), new ParquetImporter(), new ArrowIpcImporter(), new MatImporter(),
                new Hdf5Importer(), new NpyImporter(), new JsonImporter(),
                new CsvImporter());
    }

    public static List<String> names() {
        List<String> names = new ArrayList<>();
        all().forEach(importer -> names.add(importer.name()));
        return names;
    }

    public static Importer byName(String name) {
        for (Importer importer : all()) {
            if (importer.name().equals(name)) {
                return importer;
            }
        }
        throw new LodeException("Unknown format '" + Names.printable(name, 40) + "': known formats are "
                + String.join(", ", names()));
    }

    /** The importer for these sources: the forced format, or the one that recognises every source. */
    public static Importer choose(List<Path> sources, Optional<String> format) throws IOException {
        for (Path source : sources) {
            if (!Files.exists(source)) {
                throw new ImportException(source, null, "no such file or folder");
            }
        }
        if (format.isPresent()) {
            return byName(format.get());
        }
        Importer chosen = null;
        for (Path source : sources) {
            Importer detected = detect(source);
            if (chosen != null && !chosen.name().equals(detected.name())) {
                throw new ImportException(source, null, "its format (" + detected.name()
                        + ") differs from the first source's (" + chosen.name() + "); import them separately or "
                        + "give --format");
            }
            chosen = detected;
        }
        return chosen;
    }

    static Importer detect(Path source) throws IOException {
        byte[] head = new byte[0];
        if (Files.isRegularFile(source)) {
            try (InputStream in = Files.newInputStream(source)) {
                head = in.readNBytes(HEAD_BYTES);
            } catch (NoSuchFileException e) {
                throw new ImportException(source, null, "no such file");
            }
        }
        for (Importer importer : all()) {
            if (importer.detects(source, head)) {
                return importer;
            }
        }
        throw new ImportException(source, null, "unrecognised format; give --format (one of "
                + String.join(", ", names()) + ")");
    }
}
