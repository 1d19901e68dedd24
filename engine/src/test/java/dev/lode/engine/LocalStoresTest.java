package dev.lode.engine;

import org.junit.jupiter.api.Nested;

import java.nio.file.Files;
import java.nio.file.Path;

class LocalStoresTest {
    @Nested
    class Objects extends ObjectStoreContract {
        private Path root;

        @Override
        protected ObjectStore createStore() throws Exception {
            root = temporary.resolve("repo");
            return Stores.localObjects(root);
        }

        @Override
        protected void tamper(ObjectId id, byte[] bytes) throws Exception {
            Path file = ((LocalObjectStore) store).pathOf(id);
            // Objects may be hard links to read-only files; replace rather than write through.
            Files.delete(file);
            Files.write(file, bytes);
        }
    }

    @Nested
    class Refs extends RefStoreContract {
        @Override
        protected RefStore createStore() throws Exception {
            return Stores.localRefs(temporary.resolve("repo"));
        }
    }
}
