package dev.lode.s3;

import dev.lode.engine.CorruptObjectException;
import dev.lode.engine.CrashPoints;
import dev.lode.engine.LodeException;
import dev.lode.engine.MissingObjectException;
import dev.lode.engine.ObjectId;
import dev.lode.engine.ObjectInfo;
import dev.lode.engine.ObjectStore;
import dev.lode.engine.SupportsDownload;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Objects as keys {@code <prefix>/objects/ab/cdef…}. A put is one PUT, or a multipart upload above the threshold,
 * either way conditional on {@code If-None-Match: *}, so an object is never overwritten and a reader sees all of
 * it or nothing. With {@link S3Settings#sha256Checksums()} the SHA-256 travels as the S3 additional checksum
 * (per part for multipart uploads), so S3 itself rejects bytes damaged on the way.
 */
final class S3ObjectStore implements ObjectStore, SupportsDownload {
    private static final String OBJECTS = "objects/";

    private final S3Client client;
    private final S3Location location;
    private final S3Settings settings;
    private final ExecutorService transfers;
    private final String objectsPrefix;

    S3ObjectStore(S3Client client, S3Location location, S3Settings settings, ExecutorService transfers) {
        this.client = requireNonNull(client, "client is null");
        this.location = requireNonNull(location, "location is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.transfers = requireNonNull(transfers, "transfers is null");
        this.objectsPrefix = location.key(OBJECTS);
    }

    String key(ObjectId id) {
        return objectsPrefix + id.hex().substring(0, 2) + "/" + id.hex().substring(2);
    }

    private String bucket() {
        return location.bucket();
    }

    @Override
    public Optional<InputStream> open(ObjectId id) throws IOException {
        String key = key(id);
        try {
            return Optional.of(new NamingInputStream(client.getObject(request -> request.bucket(bucket()).key(key)),
                    "s3://" + bucket() + "/" + key));
        } catch (SdkException e) {
            if (S3Failures.notFound(e)) {
                return Optional.empty();
            }
            throw S3Failures.wrap("GetObject", bucket(), key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(ObjectId id) throws IOException {
        return head(id).map(head -> new ObjectInfo(id, head.contentLength(), head.lastModified()));
    }

    private Optional<HeadObjectResponse> head(ObjectId id) throws IOException {
        String key = key(id);
        try {
            return Optional.of(client.headObject(request -> request.bucket(bucket()).key(key)));
        } catch (SdkException e) {
            if (S3Failures.notFound(e)) {
                return Optional.empty();
            }
            throw S3Failures.wrap("HeadObject", bucket(), key, e);
        }
    }

    @Override
    public boolean putIfAbsent(ObjectId id, Path file) throws IOException {
        requireNonNull(id, "id is null");
        requireNonNull(file, "file is null");
        long size = Files.size(file);
        if (size >= settings.multipartThreshold()) {
            // Skip uploading many parts when the object is already there; the conditional complete still guards.
            if (head(id).isPresent()) {
                return false;
            }
            return putMultipart(id, file, size);
        }
        String key = key(id);
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(bucket()).key(key).ifNoneMatch("*")
                .contentLength(size);
        if (settings.sha256Checksums()) {
            request.checksumSHA256(Base64.getEncoder().encodeToString(id.toBytes()));
        }
        try {
            CrashPoints.reached("before PutObject", key);
            client.putObject(request.build(), RequestBody.fromFile(file));
            CrashPoints.reached("after PutObject", key);
            return true;
        } catch (SdkException e) {
            if (S3Failures.lostRace(e)) {
                // 412: the object exists. 409: a concurrent upload of the same bytes is finishing; both fine.
                return false;
            }
            throw S3Failures.wrap("PutObject", bucket(), key, e);
        }
    }

    private boolean putMultipart(ObjectId id, Path file, long size) throws IOException {
        String key = key(id);
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder().bucket(bucket()).key(key);
        if (settings.sha256Checksums()) {
            create.checksumAlgorithm(ChecksumAlgorithm.SHA256);
        }
        String uploadId;
        try {
            uploadId = client.createMultipartUpload(create.build()).uploadId();
        } catch (SdkException e) {
            throw S3Failures.wrap("CreateMultipartUpload", bucket(), key, e);
        }
        int partCount = (int) ((size + settings.partSize() - 1) / settings.partSize());
        List<Future<CompletedPart>> futures = new ArrayList<>(partCount);
        List<CompletedPart> parts = new ArrayList<>(partCount);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int part = 1; part <= partCount; part++) {
                int number = part;
                futures.add(transfers.submit(() -> uploadPart(channel, key, uploadId, number, size)));
            }
            for (Future<CompletedPart> future : futures) {
                parts.add(await(future, "UploadPart", key));
            }
        } catch (IOException | RuntimeException e) {
            futures.forEach(future -> future.cancel(true));
            abort(key, uploadId, e);
            throw e;
        }
        try {
            CrashPoints.reached("before CompleteMultipartUpload", key);
            client.completeMultipartUpload(request -> request.bucket(bucket()).key(key).uploadId(uploadId)
                    .ifNoneMatch("*").multipartUpload(upload -> upload.parts(parts)));
            return true;
        } catch (SdkException e) {
            if (S3Failures.lostRace(e)) {
                abort(key, uploadId, e);
                return false;
            }
            // No abort: the complete may have landed; an unfinished upload is reclaimed by a lifecycle rule.
            throw S3Failures.wrap("CompleteMultipartUpload", bucket(), key, e);
        }
    }

    private CompletedPart uploadPart(FileChannel channel, String key, String uploadId, int number, long size)
            throws IOException {
        long offset = (long) (number - 1) * settings.partSize();
        int length = (int) Math.min(settings.partSize(), size - offset);
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                throw new IOException("File for object " + key + " shrank while being uploaded");
            }
        }
        buffer.flip();
        UploadPartRequest.Builder request = UploadPartRequest.builder().bucket(bucket()).key(key).uploadId(uploadId)
                .partNumber(number).contentLength((long) length);
        String checksum = null;
        if (settings.sha256Checksums()) {
            MessageDigest digest = ObjectId.newDigest();
            digest.update(buffer.duplicate());
            checksum = Base64.getEncoder().encodeToString(digest.digest());
            request.checksumSHA256(checksum);
        }
        try {
            var response = client.uploadPart(request.build(), RequestBody.fromByteBuffer(buffer));
            return CompletedPart.builder().partNumber(number).eTag(response.eTag()).checksumSHA256(checksum).build();
        } catch (SdkException e) {
            throw S3Failures.wrap("UploadPart " + number, bucket(), key, e);
        }
    }

    private void abort(String key, String uploadId, Exception reason) {
        try {
            client.abortMultipartUpload(request -> request.bucket(bucket()).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            reason.addSuppressed(S3Failures.wrap("AbortMultipartUpload", bucket(), key, e));
        }
    }

    private static <T> T await(Future<T> future, String operation, String key) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("Interrupted during " + operation + " of " + key);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(operation + " of " + key + " failed", e.getCause());
        }
    }

    @Override
    public void list(Consumer<ObjectInfo> action) throws IOException {
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket()).prefix(objectsPrefix).build();
        try {
            for (S3Object object : client.listObjectsV2Paginator(request).contents()) {
                String relative = object.key().substring(objectsPrefix.length());
                // Only "ab/" + 62 hex digits is an object; anything else a remote holds is ignored.
                if (relative.length() != ObjectId.HEX_LENGTH + 1 || relative.charAt(2) != '/') {
                    continue;
                }
                String hex = relative.substring(0, 2) + relative.substring(3);
                if (ObjectId.isValid(hex)) {
                    action.accept(new ObjectInfo(ObjectId.parse(hex), object.size(), object.lastModified()));
                }
            }
        } catch (SdkException e) {
            throw S3Failures.wrap("ListObjectsV2", bucket(), objectsPrefix, e);
        }
    }

    @Override
    public boolean delete(ObjectId id) throws IOException {
        // S3 deletes are idempotent and do not say whether the key existed: ask first.
        if (head(id).isEmpty()) {
            return false;
        }
        String key = key(id);
        try {
            CrashPoints.reached("before DeleteObject", key);
            client.deleteObject(request -> request.bucket(bucket()).key(key));
            CrashPoints.reached("after DeleteObject", key);
            return true;
        } catch (SdkException e) {
            throw S3Failures.wrap("DeleteObject", bucket(), key, e);
        }
    }

    @Override
    public void download(ObjectId id, Path target, long maxBytes) throws IOException {
        String key = key(id);
        HeadObjectResponse head = head(id).orElseThrow(() -> new MissingObjectException(id, describe()));
        if (head.contentLength() > maxBytes) {
            throw new LodeException("s3://" + bucket() + "/" + key + " is " + head.contentLength()
                    + " bytes, more than the " + maxBytes + " allowed for it; refusing to download it");
        }
        Path partial = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".partial");
        try {
            long size = head.contentLength();
            if (size >= settings.rangedDownloadThreshold()) {
                downloadRanges(key, head.eTag(), size, partial);
            } else {
                // One GET of the whole object, re-fetched like a range if its body is cut short.
                try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    if (size > 0) {
                        downloadRangeWithRetries(channel, key, head.eTag(), 0, size - 1);
                    }
                }
            }
            String actual = sha256(partial);
            if (!actual.equals(id.hex())) {
                throw new CorruptObjectException("s3://" + bucket() + "/" + key, id, actual);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private void downloadRanges(String key, String eTag, long size, Path partial) throws IOException {
        List<Future<Void>> futures = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long offset = 0; offset < size; offset += settings.rangeSize()) {
                long start = offset;
                long end = Math.min(size, offset + settings.rangeSize()) - 1;
                futures.add(transfers.submit(() -> {
                    downloadRangeWithRetries(channel, key, eTag, start, end);
                    return null;
                }));
            }
            try {
                for (Future<Void> future : futures) {
                    await(future, "ranged GetObject", key);
                }
            } catch (IOException | RuntimeException e) {
                futures.forEach(future -> future.cancel(true));
                throw e;
            }
        }
    }

    /** The SDK retries failed requests, not bodies cut short while streaming: a range is re-fetched whole. */
    private void downloadRangeWithRetries(FileChannel channel, String key, String eTag, long start, long end)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                downloadRange(channel, key, eTag, start, end);
                return;
            } catch (IOException e) {
                if (attempt >= settings.maxAttempts() || e instanceof java.io.InterruptedIOException
                        || !(e.getCause() == null || e.getCause() instanceof IOException
                        || e.getCause() instanceof software.amazon.awssdk.core.exception.SdkClientException)) {
                    throw e;
                }
            }
        }
    }

    private void downloadRange(FileChannel channel, String key, String eTag, long start, long end)
            throws IOException {
        String range = "bytes=" + start + "-" + end;
        // If-Match pins every range to the version that was sized, so a replaced object cannot be stitched.
        try (ResponseInputStream<GetObjectResponse> in = client.getObject(request -> request.bucket(bucket()).key(key)
                .range(range).ifMatch(eTag))) {
            byte[] buffer = new byte[1 << 16];
            long position = start;
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (position + n > end + 1) {
                    throw new IOException("S3 ranged GetObject of s3://" + bucket() + "/" + key + " " + range
                            + " returned more bytes than asked for");
                }
                ByteBuffer slice = ByteBuffer.wrap(buffer, 0, n);
                while (slice.hasRemaining()) {
                    position += channel.write(slice, position);
                }
            }
            if (position != end + 1) {
                throw new IOException("S3 ranged GetObject of s3://" + bucket() + "/" + key + " " + range
                        + " ended after " + (position - start) + " of " + (end + 1 - start) + " bytes");
            }
        } catch (SdkException e) {
            throw S3Failures.wrap("ranged GetObject " + range, bucket(), key, e);
        } catch (java.net.SocketException | java.net.SocketTimeoutException e) {
            throw new IOException("S3 ranged GetObject of s3://" + bucket() + "/" + key + " " + range
                    + " failed while reading the body: " + e.getMessage(), e);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = ObjectId.newDigest();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            while (channel.read(buffer) > 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Says which object was being read when the connection fails mid-body; the SDK's own error does not. */
    private static final class NamingInputStream extends java.io.FilterInputStream {
        private final String where;

        NamingInputStream(InputStream in, String where) {
            super(in);
            this.where = where;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException | SdkException e) {
                throw named(e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return super.read(buffer, offset, length);
            } catch (IOException | SdkException e) {
                throw named(e);
            }
        }

        private IOException named(Exception e) {
            return new IOException("S3 GetObject of " + where + " failed while reading the body: "
                    + e.getMessage(), e);
        }
    }

    /** {@code s3://bucket/prefix/objects}, so that messages show where an object lives. */
    @Override
    public String describe() {
        return "s3://" + bucket() + "/" + objectsPrefix.substring(0, objectsPrefix.length() - 1);
    }
}
