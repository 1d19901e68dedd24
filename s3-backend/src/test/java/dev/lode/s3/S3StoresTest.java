package dev.lode.s3;

import dev.lode.engine.ObjectId;
import dev.lode.engine.ObjectStore;
import dev.lode.engine.ObjectStoreContract;
import dev.lode.engine.RefStore;
import dev.lode.engine.RefStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import software.amazon.awssdk.core.sync.RequestBody;

/** The shared store suites, run against a real S3 server (s3proxy, in process). */
class S3StoresTest {
    static S3TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Nested
    class Objects extends ObjectStoreContract {
        private S3Stores stores;

        @Override
        protected ObjectStore createStore() {
            stores = S3Stores.connect(new S3Location(server.createBucket(), "team/repo"), server.settings());
            return stores.objects();
        }

        @Override
        protected void tamper(ObjectId id, byte[] bytes) {
            String key = ((S3ObjectStore) store).key(id);
            server.client().putObject(request -> request.bucket(stores.location().bucket()).key(key),
                    RequestBody.fromBytes(bytes));
        }

        @AfterEach
        void disconnect() {
            stores.close();
        }
    }

    @Nested
    class Refs extends RefStoreContract {
        private S3Stores stores;

        @Override
        protected RefStore createStore() {
            stores = S3Stores.connect(new S3Location(server.createBucket(), ""), server.settings());
            return stores.refs();
        }

        @AfterEach
        void disconnect() {
            stores.close();
        }
    }
}
