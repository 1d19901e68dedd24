package dev.lode.cli;

import dev.lode.engine.LodeException;
import dev.lode.engine.Repository;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "verify", description = "Re-hash every object and check that every ref leads to complete commits.")
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        try (Repository repository = common.openRepository()) {
            Repository.VerifyReport report = repository.verify();
            if (common.json) {
                common.printJson(Json.object().put("ok", report.ok()).put("objects", report.objects())
                        .put("bytes", report.bytes()).put("refs", report.refs()).put("commits", report.commits())
                        .putStrings("problems", report.problems()).build());
            } else {
                System.out.printf("%d objects (%s), %d refs, %d commits checked%n", report.objects(),
                        Formats.bytes(report.bytes()), report.refs(), report.commits());
                report.problems().forEach(problem -> System.out.println("problem: " + problem));
            }
            if (!report.ok()) {
                if (common.json) {
                    return Main.USER_ERROR;
                }
                throw new LodeException("verify found " + report.problems().size() + " problem(s)");
            }
            if (!common.json) {
                System.out.println("ok");
            }
        }
        return 0;
    }
}
