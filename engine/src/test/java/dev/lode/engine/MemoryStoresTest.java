package dev.lode.engine;

import org.junit.jupiter.api.Nested;

class MemoryStoresTest {
    @Nested
    class Objects extends ObjectStoreContract {
        @Override
        protected ObjectStore createStore() {
            return Stores.memoryObjects();
        }

        @Override
        protected void tamper(ObjectId id, byte[] bytes) {
            ((MemoryObjectStore) store).tamper(id, bytes);
        }
    }

    @Nested
    class Refs extends RefStoreContract {
        @Override
        protected RefStore createStore() {
            return Stores.memoryRefs();
        }
    }
}
