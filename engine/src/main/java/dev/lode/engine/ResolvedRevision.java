package dev.lode.engine;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** What a {@link Revision} named: the ref it went through (if any), the commit id and the commit. */
public record ResolvedRevision(Revision revision, Optional<RefName> ref, ObjectId commitId, Commit commit) {
    public ResolvedRevision {
        requireNonNull(revision, "revision is null");
        requireNonNull(ref, "ref is null");
        requireNonNull(commitId, "commitId is null");
        requireNonNull(commit, "commit is null");
    }
}
