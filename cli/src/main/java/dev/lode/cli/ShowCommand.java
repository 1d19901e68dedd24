package dev.lode.cli;

import dev.lode.engine.FragmentEntry;
import dev.lode.engine.Manifest;
import dev.lode.engine.Repository;
import dev.lode.engine.ResolvedRevision;
import dev.lode.engine.Revision;
import dev.lode.engine.SourceFile;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "show", description = "Show one version: commit, schema, rows, fragments and lineage.")
final class ShowCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "DATASET[@REV]")
    String revision;

    @Override
    public Integer call() throws Exception {
        try (Repository repository = common.openRepository()) {
            ResolvedRevision resolved = repository.resolve(Revision.parse(revision));
            Manifest manifest = repository.readManifest(resolved.commit().manifest());
            if (common.json) {
                List<Json> fragments = new ArrayList<>();
                for (FragmentEntry fragment : manifest.fragments()) {
                    fragments.add(Json.object().put("object", fragment.object().hex()).put("rows", fragment.rows())
                            .put("bytes", fragment.bytes()).put("statistics", fragment.statistics()).build());
                }
                var out = Formats.commitJson(resolved.commitId(), resolved.commit()).asObject();
                var builder = Json.object();
                out.members().forEach(builder::put);
                builder.put("ref", resolved.ref().map(ref -> (Json) Json.of(ref.toString())).orElse(Json.nullValue()))
                        .put("rows", manifest.rows())
                        .put("bytes", manifest.bytes())
                        .put("fragments", Json.array(fragments))
                        .put("schema", manifest.schema())
                        .put("lineage", resolved.commit().lineage().map(dev.lode.engine.Lineage::toJson)
                                .orElse(Json.nullValue()));
                common.printJson(builder.build());
                return 0;
            }
            System.out.println("commit   " + resolved.commitId().hex());
            System.out.println("dataset  " + resolved.commit().dataset());
            resolved.ref().ifPresent(ref -> System.out.println("ref      " + ref));
            System.out.println("manifest " + resolved.commit().manifest().hex());
            System.out.println("author   " + resolved.commit().author());
            System.out.println("date     " + resolved.commit().time());
            System.out.println("message  " + resolved.commit().message());
            System.out.printf("rows     %,d in %d fragments, %s%n", manifest.rows(), manifest.fragments().size(),
                    Formats.bytes(manifest.bytes()));
            System.out.println("schema");
            for (Json field : manifest.schema().getArray("fields").values()) {
                var object = field.asObject();
                System.out.println("  " + object.getString("name") + ": " + object.get("type")
                        + (object.find("nullable").map(Json::asBoolean).orElse(true) ? "" : " not null"));
            }
            resolved.commit().lineage().ifPresent(lineage -> {
                System.out.println("lineage  " + lineage.importer() + " importer v" + lineage.importerVersion()
                        + ", options " + lineage.options());
                for (SourceFile source : lineage.sources()) {
                    System.out.println("  " + source.path() + " (" + Formats.bytes(source.bytes()) + ", sha256 "
                            + source.sha256().hex() + ")");
                }
            });
        }
        return 0;
    }
}
