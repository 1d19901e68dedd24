package dev.lode.engine;

import java.util.Optional;

/**
 * What a commit attempt did: {@code created} a new commit and moved the branch, or found the branch already
 * {@code upToDate} with the same content and changed nothing.
 */
public record CommitOutcome(Status status, ObjectId commit, Optional<ObjectId> previous, int attempts) {
    public enum Status { CREATED, UP_TO_DATE }
}
