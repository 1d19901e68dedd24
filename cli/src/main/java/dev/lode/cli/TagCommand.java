package dev.lode.cli;

import dev.lode.engine.CasResult;
import dev.lode.engine.Ref;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.ResolvedRevision;
import dev.lode.engine.Revision;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "tag", description = {"Tag a version: lode tag DATASET[@REV] NAME. Tags are immutable.",
        "With only DATASET, list its tags."})
final class TagCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "DATASET[@REV]")
    String revision;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
        try (Repository repository = common.openRepository()) {
            if (name == null) {
                return list(repository, Revision.parse(revision).dataset());
            }
            ResolvedRevision target = repository.resolve(Revision.parse(revision));
            RefName tag = RefName.tag(target.revision().dataset(), name);
            CasResult result = repository.tag(tag, target.commitId(), Repository.currentUser(),
                    "tag " + revision + " " + name);
            if (common.json) {
                common.printJson(Json.object().put("dataset", tag.dataset()).put("tag", name)
                        .put("commit", target.commitId().hex())
                        .put("status", result == CasResult.SUCCESS ? "created" : "exists").build());
            } else {
                System.out.println((result == CasResult.SUCCESS ? "Tagged " : "Tag already at ") + tag.dataset()
                        + "@" + name + " -> " + target.commitId().abbreviated());
            }
        }
        return 0;
    }

    private int list(Repository repository, String dataset) throws Exception {
        List<Json> tags = new ArrayList<>();
        for (Ref ref : repository.refsOf(dataset)) {
            if (ref.name().isTag()) {
                tags.add(Json.object().put("name", ref.name().name()).put("commit", ref.target().hex()).build());
                if (!common.json) {
                    System.out.println(ref.name().name() + " " + ref.target().abbreviated());
                }
            }
        }
        if (common.json) {
            common.printJson(Json.object().put("dataset", dataset).put("tags", Json.array(tags)).build());
        }
        return 0;
    }
}
