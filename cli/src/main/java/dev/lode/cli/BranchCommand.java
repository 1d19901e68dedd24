package dev.lode.cli;

import dev.lode.engine.Ref;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.ResolvedRevision;
import dev.lode.engine.Revision;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "branch", description = {"List, create or delete branches.",
        "lode branch DATASET                 list branches",
        "lode branch DATASET[@REV] NAME      create NAME at REV (default main)",
        "lode branch --delete DATASET NAME   delete NAME"})
final class BranchCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "DATASET[@REV]")
    String revision;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(names = {"-d", "--delete"}, description = "Delete branch NAME.")
    boolean delete;

    @Override
    public Integer call() throws Exception {
        try (Repository repository = common.openRepository()) {
            String dataset = Revision.parse(revision).dataset();
            if (name == null) {
                List<Json> branches = new ArrayList<>();
                for (Ref ref : repository.refsOf(dataset)) {
                    if (!ref.name().isTag()) {
                        branches.add(Json.object().put("name", ref.name().name()).put("commit", ref.target().hex())
                                .build());
                        if (!common.json) {
                            System.out.println(ref.name().name() + " " + ref.target().abbreviated());
                        }
                    }
                }
                if (common.json) {
                    common.printJson(Json.object().put("dataset", dataset).put("branches", Json.array(branches))
                            .build());
                }
                return 0;
            }
            RefName branch = RefName.branch(dataset, name);
            if (delete) {
                repository.deleteBranch(branch, Repository.currentUser(), "branch --delete " + dataset + " " + name);
                if (common.json) {
                    common.printJson(Json.object().put("dataset", dataset).put("branch", name)
                            .put("status", "deleted").build());
                } else {
                    System.out.println("Deleted branch " + name + " of " + dataset);
                }
                return 0;
            }
            ResolvedRevision target = repository.resolve(Revision.parse(revision));
            repository.createBranch(branch, target.commitId(), Repository.currentUser(),
                    "branch " + revision + " " + name);
            if (common.json) {
                common.printJson(Json.object().put("dataset", dataset).put("branch", name)
                        .put("commit", target.commitId().hex()).put("status", "created").build());
            } else {
                System.out.println("Created branch " + name + " of " + dataset + " at "
                        + target.commitId().abbreviated());
            }
        }
        return 0;
    }
}
