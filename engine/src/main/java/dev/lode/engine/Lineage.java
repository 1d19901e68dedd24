package dev.lode.engine;

import dev.lode.engine.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Where a commit's data came from: the source files with their hashes, the importer and its version, the detected
 * format and every option, enough to re-run the conversion and check it bit for bit.
 */
public record Lineage(String importer, String importerVersion, String format, SortedMap<String, String> options,
                      List<SourceFile> sources, String lodeVersion) {
    public Lineage {
        requireNonNull(importer, "importer is null");
        requireNonNull(importerVersion, "importerVersion is null");
        requireNonNull(format, "format is null");
        options = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(options));
        sources = List.copyOf(sources);
        requireNonNull(lodeVersion, "lodeVersion is null");
    }

    /** The lineage as canonical JSON, exactly as stored in the commit. */
    public Json toJson() {
        Json.JsonObject.Builder opts = Json.object();
        options.forEach(opts::put);
        List<Json> files = new ArrayList<>();
        sources.forEach(source -> files.add(source.toJson()));
        return Json.object()
                .put("importer", importer)
                .put("importerVersion", importerVersion)
                .put("format", format)
                .put("options", opts.build())
                .put("sources", Json.array(files))
                .put("lodeVersion", lodeVersion)
                .build();
    }

    static Lineage fromJson(Json json) {
        var object = json.asObject();
        SortedMap<String, String> options = new TreeMap<>();
        for (Map.Entry<String, Json> option : object.getObject("options").members().entrySet()) {
            options.put(option.getKey(), option.getValue().asString());
        }
        List<SourceFile> sources = new ArrayList<>();
        for (Json source : object.getArray("sources").values()) {
            sources.add(SourceFile.fromJson(source));
        }
        return new Lineage(object.getString("importer"), object.getString("importerVersion"),
                object.getString("format"), options, sources, object.getString("lodeVersion"));
    }
}
