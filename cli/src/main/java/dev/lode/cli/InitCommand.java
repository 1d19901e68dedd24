package dev.lode.cli;

import dev.lode.engine.Repository;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "init", description = "Create an empty repository (DIR/.lode, default: the current directory).")
final class InitCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Where to create .lode/.")
    Path folder = Path.of(".");

    @Override
    public Integer call() throws Exception {
        Path target = common.repo != null ? common.repo : folder;
        try (Repository repository = Repository.init(target)) {
            if (common.json) {
                common.printJson(Json.object().put("repository", repository.root().toAbsolutePath().toString())
                        .build());
            } else {
                System.out.println("Initialised empty Lode repository in " + repository.root().toAbsolutePath());
            }
        }
        return 0;
    }
}
