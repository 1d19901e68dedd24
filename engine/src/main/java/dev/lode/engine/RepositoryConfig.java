package dev.lode.engine;

import dev.lode.engine.json.Json;
import dev.lode.engine.json.JsonException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code config.json}: the repository's format version and its remotes. Never holds credentials.
 */
public record RepositoryConfig(int format, Map<String, Remote> remotes) {
    public RepositoryConfig {
        if (format != Repository.FORMAT) {
            throw new LodeException("Repository format " + format + " is not supported; this Lode reads format "
                    + Repository.FORMAT);
        }
        remotes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(remotes));
    }

    /** A remote: its URL (s3://bucket/prefix) and optional endpoint, region and path-style flag. */
    public record Remote(String name, String url, Optional<String> endpoint, Optional<String> region,
                         boolean pathStyle) {
        public Remote {
            Names.check("remote", name);
            java.util.Objects.requireNonNull(url, "url is null");
            java.util.Objects.requireNonNull(endpoint, "endpoint is null");
            java.util.Objects.requireNonNull(region, "region is null");
        }

        Json toJson() {
            var builder = Json.object().put("url", url).put("pathStyle", pathStyle);
            endpoint.ifPresent(value -> builder.put("endpoint", value));
            region.ifPresent(value -> builder.put("region", value));
            return builder.build();
        }
    }

    static RepositoryConfig empty() {
        return new RepositoryConfig(Repository.FORMAT, Map.of());
    }

    public RepositoryConfig withRemote(Remote remote) {
        TreeMap<String, Remote> copy = new TreeMap<>(remotes);
        copy.put(remote.name(), remote);
        return new RepositoryConfig(format, copy);
    }

    Json toJson() {
        var remoteObject = Json.object();
        remotes.forEach((name, remote) -> remoteObject.put(name, remote.toJson()));
        return Json.object().put("format", format).put("remotes", remoteObject.build()).build();
    }

    static RepositoryConfig read(Path file) throws IOException {
        try {
            var object = Json.parse(Files.readAllBytes(file)).asObject();
            TreeMap<String, Remote> remotes = new TreeMap<>();
            for (var entry : object.getObject("remotes").members().entrySet()) {
                var remote = entry.getValue().asObject();
                remotes.put(entry.getKey(), new Remote(entry.getKey(), remote.getString("url"),
                        remote.find("endpoint").map(Json::asString), remote.find("region").map(Json::asString),
                        remote.find("pathStyle").map(Json::asBoolean).orElse(false)));
            }
            return new RepositoryConfig((int) object.getLong("format"), remotes);
        } catch (JsonException e) {
            throw new LodeException("Corrupt repository configuration " + file + ": " + e.getMessage(), e);
        }
    }
}
