package dev.lode.engine;

import dev.lode.engine.importer.csv.CsvWriter;
import dev.lode.engine.parquet.FragmentReader;
import dev.lode.engine.parquet.Schemas;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a version out as plain files: its Parquet fragments as {@code part-00000.parquet}… (verified copies of
 * the stored objects) or one {@code data.csv}. The target folder must be empty or absent; files appear complete
 * or not at all.
 */
final class Exporting {
    enum Format { PARQUET, CSV }

    private Exporting() {
    }

    static List<Path> export(Repository repository, Manifest manifest, Path folder, Format format)
            throws IOException {
        if (Files.exists(folder)) {
            if (!Files.isDirectory(folder)) {
                throw new LodeException("Cannot export to " + folder + ": it is a file");
            }
            try (var entries = Files.list(folder)) {
                if (entries.findAny().isPresent()) {
                    throw new LodeException("Cannot export to " + folder + ": the folder is not empty");
                }
            }
        }
        Files.createDirectories(folder);
        List<Path> written = new ArrayList<>();
        if (format == Format.PARQUET) {
            int part = 0;
            for (FragmentEntry fragment : manifest.fragments()) {
                Path target = folder.resolve(String.format("part-%05d.parquet", part++));
                repository.objects().copyTo(fragment.object(), target);
                written.add(target);
            }
            return written;
        }
        Schema schema = Schemas.fromJson(manifest.schema());
        Path target = folder.resolve("data.csv");
        Path partial = folder.resolve("data.csv.partial");
        try (BufferAllocator allocator = ArrowMemory.rootAllocator(); CsvWriter writer = CsvWriter.open(partial, schema)) {
            for (FragmentEntry fragment : manifest.fragments()) {
                Path local = repository.objects().newTemporaryFile("export");
                try {
                    repository.objects().copyTo(fragment.object(), local);
                    FragmentReader.read(local, allocator, 8192, writer::write);
                } finally {
                    Files.deleteIfExists(local);
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        written.add(target);
        return written;
    }
}
