package dev.lode.engine;

import static java.util.Objects.requireNonNull;

/**
 * A branch or tag of one dataset. Stored under {@code refs/<dataset>/heads/<branch>} or
 * {@code refs/<dataset>/tags/<tag>}, where each '/' inside a dataset, branch or tag name is written as
 * {@code %2F} so that every ref is one file or key at a fixed depth (see docs/FORMAT.md).
 */
public record RefName(String dataset, Kind kind, String name) implements Comparable<RefName> {

    public enum Kind {
        BRANCH("heads"), TAG("tags");

        private final String folder;

        Kind(String folder) {
            this.folder = folder;
        }

        public String folder() {
            return folder;
        }

        static Kind ofFolder(String folder) {
            for (Kind kind : values()) {
                if (kind.folder.equals(folder)) {
                    return kind;
                }
            }
            return null;
        }
    }

    public RefName {
        Names.check("dataset", dataset);
        requireNonNull(kind, "kind is null");
        Names.check(kind == Kind.BRANCH ? "branch" : "tag", name);
    }

    public static RefName branch(String dataset, String branch) {
        return new RefName(dataset, Kind.BRANCH, branch);
    }

    public static RefName tag(String dataset, String tag) {
        return new RefName(dataset, Kind.TAG, tag);
    }

    /** The path of this ref relative to a repository root, with '/' as separator. */
    public String path() {
        return "refs/" + encode(dataset) + "/" + kind.folder + "/" + encode(name);
    }

    /** Parses a path made by {@link #path()} relative to {@code refs/}, or returns null if it is not one. */
    public static RefName fromRelativePath(String relative) {
        String[] parts = relative.split("/", -1);
        if (parts.length != 3) {
            return null;
        }
        Kind kind = Kind.ofFolder(parts[1]);
        String dataset = decode(parts[0]);
        String name = decode(parts[2]);
        if (kind == null || Names.problem(dataset) != null || Names.problem(name) != null) {
            return null;
        }
        return new RefName(dataset, kind, name);
    }

    static String encode(String name) {
        return name.replace("/", "%2F");
    }

    static String decode(String encoded) {
        return encoded.replace("%2F", "/");
    }

    public boolean isTag() {
        return kind == Kind.TAG;
    }

    @Override
    public int compareTo(RefName other) {
        int c = dataset.compareTo(other.dataset);
        if (c == 0) {
            c = kind.compareTo(other.kind);
        }
        return c != 0 ? c : name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return dataset + "@" + (kind == Kind.TAG ? "tags/" : "") + name;
    }
}
