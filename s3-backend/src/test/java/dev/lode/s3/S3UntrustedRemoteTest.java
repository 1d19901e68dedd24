package dev.lode.s3;

import dev.lode.engine.CasResult;
import dev.lode.engine.LodeException;
import dev.lode.engine.ObjectId;
import dev.lode.engine.ObjectInfo;
import dev.lode.engine.RefLogEntry;
import dev.lode.engine.RefName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bucket written by someone else: oversized refs and log entries, and keys that are not object names. */
class S3UntrustedRemoteTest {
    private static S3TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    private static void put(String bucket, String key, byte[] bytes) {
        server.client().putObject(request -> request.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    @Test
    void anOversizedRefIsRefusedNamingItsKeyAndAnOversizedLogEntryIsSkipped() throws Exception {
        String bucket = server.createBucket();
        RefName main = RefName.branch("d", "main");
        ObjectId a = ObjectId.hashOf(new byte[] {1});
        try (S3Stores stores = S3Stores.connect(new S3Location(bucket, "repo"), server.settings())) {
            assertEquals(CasResult.SUCCESS, stores.refs().compareAndSet(main, null, a,
                    RefLogEntry.of(null, a, Instant.parse("2026-01-01T00:00:00Z"), "tester", "test")));
            assertEquals(1, stores.refs().log(main).size());

            byte[] huge = new byte[8 << 20];
            java.util.Arrays.fill(huge, (byte) 'a');
            put(bucket, "repo/logs/d/heads/main/00000000000000000001-0123456789abcdef.json", huge);
            assertEquals(1, stores.refs().log(main).size(), "the oversized entry is skipped, the real one kept");

            put(bucket, "repo/" + main.path(), huge);
            LodeException e = assertThrows(LodeException.class, () -> stores.refs().read(main));
            assertEquals("Corrupt ref s3://" + bucket + "/repo/refs/d/heads/main: expected 64 hexadecimal digits and"
                    + " a newline, found more than 65 bytes", e.getMessage());
        }
    }

    @Test
    void keysThatAreNotObjectNamesAreNeverTakenForObjects() throws Exception {
        String bucket = server.createBucket();
        ObjectId real = ObjectId.hashOf(new byte[] {7});
        String hex = real.hex();
        put(bucket, "repo/objects/" + hex.substring(0, 2) + "/" + hex.substring(2), new byte[] {7});
        put(bucket, "repo/objects/" + hex.substring(0, 2).toUpperCase() + "/" + hex.substring(2).toUpperCase(),
                new byte[] {1});
        put(bucket, "repo/objects/../../etc/" + hex.substring(4), new byte[] {2});
        put(bucket, "repo/objects/zz/" + "z".repeat(62), new byte[] {3});
        put(bucket, "repo/objects/" + hex.substring(0, 2) + "/" + hex.substring(2) + ".partial", new byte[] {4});
        try (S3Stores stores = S3Stores.connect(new S3Location(bucket, "repo"), server.settings())) {
            List<ObjectInfo> listed = new ArrayList<>();
            stores.objects().list(listed::add);
            assertEquals(1, listed.size(), "only the key that is an object name: " + listed);
            assertEquals(real, listed.getFirst().id());
            assertTrue(stores.objects().open(real).isPresent());
            assertEquals(Optional.empty(), stores.refs().read(RefName.branch("etc", "main")));
        }
    }
}
