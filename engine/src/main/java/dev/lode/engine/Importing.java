package dev.lode.engine;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.Importer;
import dev.lode.engine.json.Json;
import dev.lode.engine.parquet.Schemas;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs an import: hash the sources (through the stat cache), look up the conversion cache, otherwise convert into
 * canonical fragments, store the manifest, and commit by compare-and-set. Objects are always written before the
 * ref that names them, so a crash at any point leaves the repository valid; leftovers are unreferenced objects
 * that garbage collection removes after its grace period.
 */
final class Importing {
    private final Repository repository;

    Importing(Repository repository) {
        this.repository = repository;
    }

    ImportResult run(ImportRequest request) throws IOException {
        Importer importer = Importers.choose(request.sources(), request.format());
        List<SourceFile> sources = new ArrayList<>();
        long sourceBytes = 0;
        for (Path source : request.sources()) {
            SourceFile file = hashSource(source);
            sources.add(file);
            sourceBytes += file.bytes();
        }
        ObjectId conversionKey = conversionKey(importer, request, sources);
        long[] written = new long[2];
        Optional<ObjectId> cached = repository.withIndex(index -> index.cachedConversion(conversionKey))
                .flatMap(x -> x);
        ObjectId manifestId = null;
        Manifest manifest = null;
        if (cached.isPresent()) {
            manifest = usableCachedManifest(cached.get());
            if (manifest != null) {
                manifestId = cached.get();
                request.progress().accept(sourceBytes);
            }
        }
        boolean fromCache = manifest != null;
        if (manifest == null) {
            manifest = convert(importer, request, written);
            byte[] bytes = manifest.toBytes();
            manifestId = ObjectId.hashOf(bytes);
            if (!repository.objects().store().contains(manifestId)) {
                written[0]++;
                written[1] += bytes.length;
            }
            repository.objects().put(bytes);
            ObjectId finalManifestId = manifestId;
            repository.withIndex(index -> {
                index.rememberConversion(conversionKey, finalManifestId);
                return null;
            });
        }
        Lineage lineage = new Lineage(importer.name(), importer.version(), importer.name(),
                request.options().values(), sources, Repository.VERSION);
        ObjectId newManifest = manifestId;
        RefName branch = RefName.branch(request.dataset(), request.branch());
        CommitOutcome outcome = repository.commit(branch, head -> {
            if (head.isPresent()) {
                try {
                    if (repository.readCommit(head.get()).manifest().equals(newManifest)) {
                        return Optional.empty();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return Optional.of(new Commit(request.dataset(), newManifest, head.map(List::of).orElse(List.of()),
                    Repository.currentUser(), repository.commitTime(), request.message(), Optional.of(lineage)));
        }, request.command());
        if (outcome.status() == CommitOutcome.Status.CREATED) {
            written[0]++;
            written[1] += repository.objects().store().stat(outcome.commit()).map(ObjectInfo::size).orElse(0L);
        }
        return new ImportResult(outcome, manifestId, manifest, importer.name(), fromCache, written[0], written[1],
                sourceBytes);
    }

    /** Re-runs the conversion without any cache and returns the manifest id it gives, storing nothing new. */
    ObjectId reconvert(ImportRequest request) throws IOException {
        Importer importer = Importers.choose(request.sources(), request.format());
        Manifest manifest = convert(importer, request, new long[2]);
        return ObjectId.hashOf(manifest.toBytes());
    }

    private SourceFile hashSource(Path source) throws IOException {
        if (Files.isDirectory(source, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return hashFolder(source);
        }
        return hashFile(source);
    }

    /**
     * A folder's hash is the SHA-256 of the canonical JSON array of its regular files (symbolic links are not
     * followed), each {@code {"bytes":N,"path":"a/b.png","sha256":HEX}}, sorted by path (docs/FORMAT.md §3.3).
     */
    private SourceFile hashFolder(Path folder) throws IOException {
        java.util.TreeMap<String, Path> files = new java.util.TreeMap<>(CODE_POINT_ORDER);
        try (var walk = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    String relative = folder.relativize(path).toString().replace(java.io.File.separatorChar, '/');
                    files.put(relative, path);
                }
            }
        }
        List<Json> entries = new ArrayList<>();
        long bytes = 0;
        for (String relative : files.keySet()) {
            SourceFile file = hashFile(files.get(relative));
            bytes += file.bytes();
            entries.add(Json.object().put("bytes", file.bytes()).put("path", relative)
                    .put("sha256", file.sha256().hex()).build());
        }
        return new SourceFile(folder.toString(), bytes, ObjectId.hashOf(Json.array(entries).toBytes()));
    }

    private static final java.util.Comparator<String> CODE_POINT_ORDER =
            (a, b) -> java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());

    private SourceFile hashFile(Path source) throws IOException {
        byte[] statKey = Files.isRegularFile(source) ? LocalIndex.statKey(source) : null;
        Optional<ObjectId> known = statKey == null ? Optional.empty()
                : repository.withIndex(index -> index.cachedHash(statKey)).flatMap(x -> x);
        ObjectId hash;
        if (known.isPresent()) {
            hash = known.get();
        } else {
            hash = SourceHashing.hash(source);
            if (statKey != null) {
                repository.withIndex(index -> {
                    index.rememberHash(statKey, hash);
                    return null;
                });
            }
        }
        return new SourceFile(source.toString(), SourceHashing.size(source), hash);
    }

    private static ObjectId conversionKey(Importer importer, ImportRequest request, List<SourceFile> sources) {
        var options = Json.object();
        request.options().values().forEach(options::put);
        List<Json> hashes = new ArrayList<>();
        sources.forEach(source -> hashes.add(Json.of(source.sha256().hex())));
        Json key = Json.object()
                .put("fragmenting", Fragmenting.VERSION)
                .put("importer", importer.name())
                .put("version", importer.version())
                .put("options", options.build())
                .put("sources", Json.array(hashes))
                .build();
        return ObjectId.hashOf(key.toBytes());
    }

    /** The cached manifest if it and all its fragments are still stored (and touched, against gc); else null. */
    private Manifest usableCachedManifest(ObjectId id) throws IOException {
        try {
            if (!repository.objects().store().contains(id)) {
                return null;
            }
            Manifest manifest = repository.readManifest(id);
            for (FragmentEntry fragment : manifest.fragments()) {
                if (!repository.objects().store().contains(fragment.object())) {
                    return null;
                }
            }
            repository.objects().store().touch(id);
            for (FragmentEntry fragment : manifest.fragments()) {
                repository.objects().store().touch(fragment.object());
            }
            return manifest;
        } catch (LodeException corrupt) {
            return null;
        }
    }

    private Manifest convert(Importer importer, ImportRequest request, long[] written) throws IOException {
        try (BufferAllocator allocator = ArrowMemory.rootAllocator();
             ImportTable table = importer.open(request.sources(), request.options(),
                     new ImportContext(allocator, request.threads(), request.progress()))) {
            Schema schema = table.schema();
            long rowsPerFragment = Fragmenting.rowsPerFragment(schema);
            try (FragmentCutter cutter = new FragmentCutter(repository.objects(), schema, rowsPerFragment, written,
                    request.threads())) {
                table.read(cutter::accept);
                List<FragmentEntry> fragments = cutter.finish();
                long rows = 0;
                for (FragmentEntry fragment : fragments) {
                    rows += fragment.rows();
                }
                return new Manifest(Schemas.toJson(schema).asObject(), fragments, rows, rowsPerFragment);
            }
        }
    }
}
