package dev.lode.cli;

import dev.lode.engine.Repository;
import dev.lode.engine.RepositoryConfig;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "remote", description = "Manage remotes (S3 or any S3-compatible store).",
        subcommands = {RemoteCommand.Add.class, RemoteCommand.ListRemotes.class})
final class RemoteCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "Missing subcommand: add or list");
    }

    @Command(name = "add", description = {"Add a remote: lode remote add NAME s3://BUCKET/PREFIX.",
            "Credentials come from the AWS SDK default chain (environment, profile, instance role) and are never "
                    + "stored. AWS_ENDPOINT_URL is honoured when no --endpoint is given."})
    static final class Add implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "URL", description = "s3://bucket/prefix")
        String url;

        @Option(names = "--endpoint", paramLabel = "URL", description = "An S3-compatible endpoint (MinIO, Ceph, R2).")
        String endpoint;

        @Option(names = "--region", paramLabel = "REGION")
        String region;

        @Option(names = "--path-style", description = "Path-style addressing (most S3-compatible servers need it).")
        boolean pathStyle;

        @Override
        public Integer call() throws Exception {
            try (Repository repository = common.openRepository()) {
                RepositoryConfig.Remote remote = new RepositoryConfig.Remote(name, Remotes.checkUrl(url),
                        Optional.ofNullable(endpoint), Optional.ofNullable(region), pathStyle);
                if (repository.config().remotes().containsKey(name)) {
                    throw new dev.lode.engine.LodeException("Remote '" + name + "' exists already");
                }
                repository.writeConfig(repository.config().withRemote(remote));
                if (common.json) {
                    common.printJson(Json.object().put("remote", name).put("url", remote.url()).build());
                } else {
                    System.out.println("Added remote " + name + " " + remote.url());
                }
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List remotes.")
    static final class ListRemotes implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Override
        public Integer call() throws Exception {
            try (Repository repository = common.openRepository()) {
                List<Json> remotes = new ArrayList<>();
                for (RepositoryConfig.Remote remote : repository.config().remotes().values()) {
                    var item = Json.object().put("name", remote.name()).put("url", remote.url())
                            .put("pathStyle", remote.pathStyle());
                    remote.endpoint().ifPresent(value -> item.put("endpoint", value));
                    remote.region().ifPresent(value -> item.put("region", value));
                    remotes.add(item.build());
                    if (!common.json) {
                        System.out.println(remote.name() + " " + remote.url()
                                + remote.endpoint().map(value -> " (endpoint " + value + ")").orElse(""));
                    }
                }
                if (common.json) {
                    common.printJson(Json.object().put("remotes", Json.array(remotes)).build());
                }
            }
            return 0;
        }
    }
}
