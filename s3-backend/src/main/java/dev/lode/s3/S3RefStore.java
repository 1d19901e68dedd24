package dev.lode.s3;

import dev.lode.engine.CasResult;
import dev.lode.engine.CrashPoints;
import dev.lode.engine.LodeException;
import dev.lode.engine.ObjectId;
import dev.lode.engine.OutcomeUnknownException;
import dev.lode.engine.Ref;
import dev.lode.engine.RefLogEntry;
import dev.lode.engine.RefName;
import dev.lode.engine.RefStore;
import dev.lode.engine.json.Json;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Refs as keys {@code <prefix>/refs/<dataset>/<heads|tags>/<name>} holding 64 hexadecimal digits and a newline, as
 * in a local repository. A compare-and-set reads the ref and its ETag, compares, writes its log entry, then writes
 * the ref with {@code If-Match: <etag>} ({@code If-None-Match: *} to create, a conditional DeleteObject to
 * delete): HTTP 412 means another writer won, and is returned as {@link CasResult#CONFLICT}.
 *
 * <p>S3 cannot append, so every log entry is its own object
 * {@code <prefix>/logs/<dataset>/<heads|tags>/<name>/<20-digit millis>-<16 hex of sha256(entry)>.json}, written
 * before the ref moves. A writer that then loses the race leaves its entry behind (nothing is ever cleaned up), so
 * the ref object names the entry that made it ({@code x-amz-meta-lode-log}) and each entry names its predecessor
 * ({@code x-amz-meta-lode-previous}); {@link #log} follows these links back from the ref's current state (or its
 * last deletion), which leaves out entries of writers that lost. Millis increase along the chain.
 *
 * <p>Ref writes are never retried blindly: after a 5xx or a lost answer the ref is re-read; if it carries this
 * write's log entry the write landed, if it is unchanged it is retried, otherwise the outcome is unknown and
 * {@link OutcomeUnknownException} is thrown.
 */
final class S3RefStore implements RefStore {
    static final String LOG_METADATA = "lode-log";
    static final String PREVIOUS_METADATA = "lode-previous";
    private static final Pattern LOG_NAME = Pattern.compile("\\d{20}-[0-9a-f]{16}\\.json");
    private static final int MAX_REF_BYTES = ObjectId.HEX_LENGTH + 1;
    /** Log entries are a few hundred bytes; a larger one from an untrusted bucket is skipped unread. */
    private static final int MAX_LOG_ENTRY_BYTES = 1 << 20;

    private final S3Client client;
    private final S3Client writeOnceClient;
    private final S3Location location;
    private final S3Settings settings;

    /** A ref as read: its target, the ETag to make the next write conditional on, and its log entry's name. */
    private record Current(ObjectId target, String eTag, Optional<String> logName) {
    }

    S3RefStore(S3Client client, S3Client writeOnceClient, S3Location location, S3Settings settings) {
        this.client = requireNonNull(client, "client is null");
        this.writeOnceClient = requireNonNull(writeOnceClient, "writeOnceClient is null");
        this.location = requireNonNull(location, "location is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    private String bucket() {
        return location.bucket();
    }

    String refKey(RefName name) {
        return location.key(name.path());
    }

    private String logFolder(RefName name) {
        return location.key("logs/" + name.path().substring("refs/".length()) + "/");
    }

    @Override
    public Optional<ObjectId> read(RefName name) throws IOException {
        return readCurrent(name).map(Current::target);
    }

    private Optional<Current> readCurrent(RefName name) throws IOException {
        String key = refKey(name);
        Optional<Small> response = getSmall("GetObject", key, MAX_REF_BYTES);
        if (response.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = response.get().bytes();
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (bytes.length != MAX_REF_BYTES || text.charAt(ObjectId.HEX_LENGTH) != '\n'
                || !ObjectId.isValid(text.substring(0, ObjectId.HEX_LENGTH))) {
            throw new LodeException("Corrupt ref s3://" + bucket() + "/" + key
                    + ": expected 64 hexadecimal digits and a newline, found "
                    + (bytes.length > MAX_REF_BYTES ? "more than " + MAX_REF_BYTES : bytes.length) + " bytes");
        }
        Map<String, String> metadata = response.get().response().metadata();
        return Optional.of(new Current(ObjectId.parse(text.substring(0, ObjectId.HEX_LENGTH)),
                response.get().response().eTag(), Optional.ofNullable(metadata.get(LOG_METADATA))));
    }

    /** A small object's bytes, at most {@code limit} + 1 of them, and its response. */
    private record Small(byte[] bytes, GetObjectResponse response) {
    }

    /**
     * Reads at most {@code limit} + 1 bytes of a small object (a ref, a log entry), or empty if it does not exist.
     * An untrusted bucket cannot make this read unbounded: a longer body is cut off and its connection aborted
     * rather than drained; the caller sees more than {@code limit} bytes and rejects the object.
     */
    private Optional<Small> getSmall(String operation, String key, int limit) throws IOException {
        // The SDK retries a failed request, not a body cut short while it is read: that is retried here.
        for (int attempt = 1; ; attempt++) {
            try (ResponseInputStream<GetObjectResponse> in = client.getObject(request -> request.bucket(bucket())
                    .key(key))) {
                byte[] bytes;
                try {
                    bytes = in.readNBytes(limit + 1);
                } catch (IOException e) {
                    if (attempt < settings.maxAttempts() && !(e instanceof java.io.InterruptedIOException)) {
                        continue;
                    }
                    throw new IOException("S3 " + operation + " s3://" + bucket() + "/" + key
                            + ": the body broke off after " + attempt + " attempts: " + e, e);
                }
                if (bytes.length > limit) {
                    in.abort();
                }
                return Optional.of(new Small(bytes, in.response()));
            } catch (SdkException e) {
                if (S3Failures.notFound(e)) {
                    return Optional.empty();
                }
                throw S3Failures.wrap(operation, bucket(), key, e);
            }
        }
    }

    @Override
    public CasResult compareAndSet(RefName name, ObjectId expected, ObjectId update, RefLogEntry entry)
            throws IOException {
        requireNonNull(name, "name is null");
        requireNonNull(entry, "entry is null");
        Optional<Current> current = readCurrent(name);
        if (!current.map(Current::target).equals(Optional.ofNullable(expected))) {
            return CasResult.CONFLICT;
        }
        if (current.map(Current::target).equals(Optional.ofNullable(update))) {
            return CasResult.NO_CHANGE;
        }
        String logName = writeLogEntry(name, current, entry);
        return writeRef(name, current, update, logName);
    }

    private String writeLogEntry(RefName name, Optional<Current> current, RefLogEntry entry) throws IOException {
        String previous;
        long previousMillis;
        if (current.isPresent()) {
            previous = current.get().logName().orElse("");
            previousMillis = millisOf(previous);
        } else {
            // A (re)created ref continues the chain after its last deletion, so that logs outlive deleted refs.
            List<String> names = listLogNames(name);
            names.sort(null);
            previousMillis = names.isEmpty() ? 0 : millisOf(names.getLast());
            previous = lastDeletion(name, names).orElse("");
        }
        long millis = Math.max(System.currentTimeMillis(), previousMillis + 1);
        byte[] bytes = (entry.toJson().toString() + "\n").getBytes(StandardCharsets.UTF_8);
        String logName = "%020d-%s.json".formatted(millis, ObjectId.hashOf(bytes).hex().substring(0, 16));
        String key = logFolder(name) + logName;
        try {
            CrashPoints.reached("before PutObject (ref log entry)", key);
            client.putObject(PutObjectRequest.builder().bucket(bucket()).key(key).ifNoneMatch("*")
                    .metadata(Map.of(PREVIOUS_METADATA, previous))
                    .contentType("application/json").build(), RequestBody.fromBytes(bytes));
            CrashPoints.reached("after PutObject (ref log entry)", key);
        } catch (SdkException e) {
            // 412: the name holds a hash of the content, so the same entry is there already (a retried PUT).
            if (!S3Failures.lostRace(e)) {
                throw S3Failures.wrap("PutObject (ref log entry)", bucket(), key, e);
            }
        }
        return logName;
    }

    private static long millisOf(String logName) {
        return LOG_NAME.matcher(logName).matches() ? Long.parseLong(logName.substring(0, 20)) : 0L;
    }

    /** The name of the latest entry that deleted the ref, newest first among {@code sortedNames}. */
    private Optional<String> lastDeletion(RefName name, List<String> sortedNames) throws IOException {
        for (int i = sortedNames.size() - 1; i >= 0; i--) {
            Optional<StoredEntry> stored = readEntry(name, sortedNames.get(i));
            if (stored.isPresent() && stored.get().entry().newTarget().isEmpty()) {
                return Optional.of(sortedNames.get(i));
            }
        }
        return Optional.empty();
    }

    /** A log entry and the name of the entry that made the state it moved the ref from ("" for none). */
    private record StoredEntry(RefLogEntry entry, String previous) {
    }

    private Optional<StoredEntry> readEntry(RefName name, String logName) throws IOException {
        String key = logFolder(name) + logName;
        Optional<Small> response = getSmall("GetObject (ref log entry)", key, MAX_LOG_ENTRY_BYTES);
        if (response.isEmpty() || response.get().bytes().length > MAX_LOG_ENTRY_BYTES) {
            return Optional.empty(); // unreadable entries are skipped, as below
        }
        try {
            RefLogEntry entry = RefLogEntry.fromJson(Json.parse(
                    new String(response.get().bytes(), StandardCharsets.UTF_8).strip()));
            return Optional.of(new StoredEntry(entry,
                    response.get().response().metadata().getOrDefault(PREVIOUS_METADATA, "")));
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private CasResult writeRef(RefName name, Optional<Current> current, ObjectId update, String logName)
            throws IOException {
        String key = refKey(name);
        String operation = update == null ? "DeleteObject" : "PutObject";
        boolean uncertain = false;
        SdkException last = null;
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            if (attempt > 1) {
                backoff(attempt, key);
            }
            try {
                CrashPoints.reached("before ref compare-and-set", key);
                if (update == null) {
                    String eTag = current.orElseThrow().eTag();
                    writeOnceClient.deleteObject(request -> request.bucket(bucket()).key(key).ifMatch(eTag));
                } else {
                    PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(bucket()).key(key)
                            .metadata(Map.of(LOG_METADATA, logName)).contentType("text/plain");
                    if (current.isPresent()) {
                        request.ifMatch(current.get().eTag());
                    } else {
                        request.ifNoneMatch("*");
                    }
                    writeOnceClient.putObject(request.build(), RequestBody.fromString(update.hex() + "\n",
                            StandardCharsets.US_ASCII));
                }
                CrashPoints.reached("after ref compare-and-set", key);
                return CasResult.SUCCESS;
            } catch (SdkException e) {
                last = e;
                boolean definite = S3Failures.lostRace(e);
                if (!definite && !S3Failures.noAnswer(e) && S3Failures.status(e) < 500) {
                    throw S3Failures.wrap(operation + " (ref " + name + ")", bucket(), key, e);
                }
                if (definite && !uncertain) {
                    return CasResult.CONFLICT;
                }
                uncertain = true;
                Optional<Current> now;
                try {
                    now = readCurrent(name);
                } catch (IOException | RuntimeException reread) {
                    reread.addSuppressed(e);
                    throw unknown(operation, name, key, update, reread);
                }
                if (landed(now, update, logName)) {
                    return CasResult.SUCCESS;
                }
                boolean unchanged = current.isEmpty() ? now.isEmpty()
                        : now.isPresent() && now.get().eTag().equals(current.get().eTag());
                if (!unchanged) {
                    throw unknown(operation, name, key, update, e);
                }
                // The ref is as it was: the write did not land. Try again.
            }
        }
        throw unknown(operation, name, key, update, last);
    }

    private static boolean landed(Optional<Current> now, ObjectId update, String logName) {
        if (update == null) {
            return now.isEmpty();
        }
        return now.isPresent() && now.get().target().equals(update)
                && now.get().logName().equals(Optional.of(logName));
    }

    private OutcomeUnknownException unknown(String operation, RefName name, String key, ObjectId update,
                                            Exception cause) {
        String detail = cause instanceof SdkException sdk ? S3Failures.describe(operation, bucket(), key, sdk)
                : "S3 " + operation + " of s3://" + bucket() + "/" + key + " failed: " + cause.getMessage();
        return new OutcomeUnknownException("Outcome unknown moving ref " + name + " to "
                + (update == null ? "(deleted)" : update.hex()) + ": " + detail
                + "; re-read the ref to learn whether it moved", cause);
    }

    private void backoff(int attempt, String key) throws IOException {
        long cap = Math.min(20_000L, 50L << Math.min(attempt, 16));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while retrying a write of s3://" + bucket() + "/" + key);
        }
    }

    @Override
    public void list(Consumer<Ref> action) throws IOException {
        String refsPrefix = location.key("refs/");
        for (String key : listKeys(refsPrefix)) {
            RefName name = RefName.fromRelativePath(key.substring(refsPrefix.length()));
            if (name != null && refKey(name).equals(key)) {
                read(name).ifPresent(target -> action.accept(new Ref(name, target)));
            }
        }
    }

    @Override
    public List<RefLogEntry> log(RefName name) throws IOException {
        List<String> names = listLogNames(name);
        names.sort(null);
        Map<String, StoredEntry> entries = new HashMap<>();
        for (String logName : names) {
            readEntry(name, logName).ifPresent(stored -> entries.put(logName, stored));
        }
        Optional<Current> current = readCurrent(name);
        String head;
        if (current.isPresent()) {
            if (current.get().logName().isEmpty()) {
                // Written by a tool that does not link its log: show every readable entry.
                return names.stream().filter(entries::containsKey).map(n -> entries.get(n).entry()).toList();
            }
            head = current.get().logName().get();
        } else {
            head = null;
            for (int i = names.size() - 1; i >= 0 && head == null; i--) {
                StoredEntry stored = entries.get(names.get(i));
                if (stored != null && stored.entry().newTarget().isEmpty()) {
                    head = names.get(i);
                }
            }
        }
        // Walk the links back from the entry that made the current state; entries of losers are not on it.
        List<RefLogEntry> chain = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (head != null && !head.isEmpty() && seen.add(head) && entries.containsKey(head)) {
            StoredEntry stored = entries.get(head);
            chain.add(stored.entry());
            head = stored.previous();
        }
        return List.copyOf(chain.reversed());
    }

    private List<String> listLogNames(RefName name) throws IOException {
        String folder = logFolder(name);
        List<String> names = new ArrayList<>();
        for (String key : listKeys(folder)) {
            String logName = key.substring(folder.length());
            if (LOG_NAME.matcher(logName).matches()) {
                names.add(logName);
            }
        }
        return names;
    }

    @Override
    public void listLogged(Consumer<RefName> action) throws IOException {
        String logsPrefix = location.key("logs/");
        TreeSet<RefName> logged = new TreeSet<>();
        for (String key : listKeys(logsPrefix)) {
            String relative = key.substring(logsPrefix.length());
            int slash = relative.lastIndexOf('/');
            if (slash > 0 && LOG_NAME.matcher(relative.substring(slash + 1)).matches()) {
                RefName name = RefName.fromRelativePath(relative.substring(0, slash));
                if (name != null) {
                    logged.add(name);
                }
            }
        }
        logged.forEach(action);
    }

    private List<String> listKeys(String prefix) throws IOException {
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket()).prefix(prefix).build();
        List<String> keys = new ArrayList<>();
        try {
            for (S3Object object : client.listObjectsV2Paginator(request).contents()) {
                keys.add(object.key());
            }
        } catch (SdkException e) {
            throw S3Failures.wrap("ListObjectsV2", bucket(), prefix, e);
        }
        return keys;
    }

    @Override
    public String describe() {
        return location.toString();
    }
}
