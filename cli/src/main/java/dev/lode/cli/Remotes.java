package dev.lode.cli;

import dev.lode.engine.LodeException;
import dev.lode.engine.Repository;
import dev.lode.engine.RepositoryConfig;
import dev.lode.s3.S3Location;
import dev.lode.s3.S3Settings;
import dev.lode.s3.S3Stores;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Connects to a configured remote. Credentials come only from the AWS SDK's default chain (environment, profile,
 * instance role); Lode never stores or prints them. AWS_ENDPOINT_URL is honoured when a remote names no endpoint.
 */
final class Remotes {
    static final String DEFAULT = "origin";

    private Remotes() {
    }

    /** A remote repository and the connection behind it; closing closes both. */
    record Connection(RepositoryConfig.Remote remote, S3Stores stores, Repository repository)
            implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                repository.close();
            } finally {
                stores.close();
            }
        }
    }

    static RepositoryConfig.Remote find(Repository local, String name) throws IOException {
        RepositoryConfig.Remote remote = local.config().remotes().get(name);
        if (remote == null) {
            List<String> known = List.copyOf(local.config().remotes().keySet());
            throw new LodeException("No remote '" + name + "'" + (known.isEmpty()
                    ? "; add one with: lode remote add " + name + " s3://BUCKET/PREFIX"
                    : "; known remotes: " + String.join(", ", known)));
        }
        return remote;
    }

    /** Whether the word names a configured remote (so a command's optional REMOTE argument can be told apart). */
    static boolean isRemote(Repository local, String word) throws IOException {
        return local.config().remotes().containsKey(word);
    }

    static Connection connect(Repository local, RepositoryConfig.Remote remote) throws IOException {
        S3Settings settings = S3Settings.fromEnvironment();
        if (remote.endpoint().isPresent()) {
            settings = settings.withEndpoint(URI.create(remote.endpoint().get()));
        }
        if (remote.pathStyle()) {
            settings = settings.withPathStyle();
        }
        if (remote.region().isPresent()) {
            settings = settings.withRegion(remote.region().get());
        }
        S3Stores stores = S3Stores.connect(S3Location.parse(remote.url()), settings);
        Path staging = Files.createDirectories(local.root().resolve("tmp").resolve("remote-" + remote.name()));
        return new Connection(remote, stores, Repository.over(stores.objects(), stores.refs(), staging));
    }

    /** Checks a URL as remote add and clone accept it: s3://bucket/prefix. */
    static String checkUrl(String url) {
        try {
            return S3Location.parse(url).toString();
        } catch (IllegalArgumentException e) {
            throw new LodeException(e.getMessage(), e);
        }
    }
}
