package dev.lode.engine;

/** An object that a commit, manifest or ref names is not in the store. */
public final class MissingObjectException extends LodeException {
    private static final long serialVersionUID = 1L;

    private final ObjectId id;

    public MissingObjectException(ObjectId id, String store) {
        super("Missing object " + id + " in " + store);
        this.id = id;
    }

    public ObjectId id() {
        return id;
    }
}
