package dev.lode.engine;

import static java.util.Objects.requireNonNull;

/** A ref and the commit it points to. */
public record Ref(RefName name, ObjectId target) {
    public Ref {
        requireNonNull(name, "name is null");
        requireNonNull(target, "target is null");
    }
}
