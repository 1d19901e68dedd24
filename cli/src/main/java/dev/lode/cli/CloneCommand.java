package dev.lode.cli;

import dev.lode.engine.Ref;
import dev.lode.engine.Repository;
import dev.lode.engine.RepositoryConfig;
import dev.lode.engine.Revision;
import dev.lode.engine.Transfers;
import dev.lode.engine.json.Json;
import dev.lode.s3.S3Location;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "clone", description = {"Create a local repository from a remote: lode clone s3://BUCKET/PREFIX [DIR].",
        "The remote becomes 'origin'; every branch and tag is pulled, verifying every object."})
final class CloneCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DIR")
    Path folder;

    @Option(names = "--endpoint", paramLabel = "URL")
    String endpoint;

    @Option(names = "--region", paramLabel = "REGION")
    String region;

    @Option(names = "--path-style")
    boolean pathStyle;

    @Option(names = "--json")
    boolean json;

    @Option(names = {"-q", "--quiet"})
    boolean quiet;

    @Option(names = {"-v", "--verbose"})
    boolean verbose;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "8")
    int parallel;

    @Override
    public Integer call() throws Exception {
        S3Location location = S3Location.parse(Remotes.checkUrl(url));
        Path target = folder != null ? folder
                : Path.of(location.prefix().isEmpty() ? location.bucket()
                : location.prefix().substring(location.prefix().lastIndexOf('/') + 1));
        try (Repository local = Repository.init(target)) {
            RepositoryConfig.Remote remote = new RepositoryConfig.Remote(Remotes.DEFAULT, location.toString(),
                    Optional.ofNullable(endpoint), Optional.ofNullable(region), pathStyle);
            local.writeConfig(local.config().withRemote(remote));
            List<Json> updates = new ArrayList<>();
            long objects = 0;
            long bytes = 0;
            try (Remotes.Connection connection = Remotes.connect(local, remote)) {
                List<Ref> refs = new ArrayList<>();
                connection.repository().refs().list(refs::add);
                refs.sort((a, b) -> a.name().compareTo(b.name()));
                for (Ref ref : refs) {
                    Transfers transfers;
                    Transfers.RefUpdate update;
                    try (Progress progress = Progress.transfer(showProgress(), "clone " + ref.name().dataset())) {
                        transfers = new Transfers(connection.repository(), local, parallel,
                                progress.transferListener());
                        update = transfers.pull(new Revision(ref.name().dataset(), ref.name().name()), false,
                                Repository.currentUser(), "clone " + location);
                    }
                    updates.add(PullCommand.updateJson(update));
                    objects += transfers.objectsSent();
                    bytes += transfers.bytesSent();
                }
            }
            if (json) {
                System.out.println(Json.object().put("repository", local.root().toAbsolutePath().toString())
                        .put("remote", location.toString()).put("updates", Json.array(updates))
                        .put("objects", objects).put("bytes", bytes).build());
            } else {
                System.out.printf("Cloned %s into %s: %d refs, %d objects, %s%n", location, target, updates.size(),
                        objects, Formats.bytes(bytes));
            }
        }
        return 0;
    }

    private boolean showProgress() {
        return !quiet && !json && System.console() != null && System.console().isTerminal();
    }
}
