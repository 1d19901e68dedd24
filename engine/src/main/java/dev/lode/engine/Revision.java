package dev.lode.engine;

import static java.util.Objects.requireNonNull;

/**
 * {@code DATASET@REV}: REV is a branch, a tag, or a commit-hash prefix of at least 8 hexadecimal digits;
 * {@code DATASET} alone means {@code DATASET@main}. Parsing checks the syntax only; {@link Repository#resolve}
 * finds what it names and rejects unknown or ambiguous revisions.
 */
public record Revision(String dataset, String rev) {
    public static final String DEFAULT_BRANCH = "main";
    public static final int MIN_PREFIX = 8;

    public Revision {
        Names.check("dataset", dataset);
        requireNonNull(rev, "rev is null");
        if (Names.problem(rev) != null) {
            throw new LodeException("Invalid revision '" + Names.printable(dataset + "@" + rev, 80) + "': "
                    + Names.problem(rev));
        }
    }

    public static Revision parse(String text) {
        requireNonNull(text, "revision is null");
        int at = text.indexOf('@');
        if (at < 0) {
            try {
                return new Revision(text, DEFAULT_BRANCH);
            } catch (LodeException e) {
                throw new LodeException("Invalid revision '" + Names.printable(text, 80) + "': "
                        + Names.problem(text));
            }
        }
        String dataset = text.substring(0, at);
        String rev = text.substring(at + 1);
        if (Names.problem(dataset) != null) {
            throw new LodeException("Invalid revision '" + Names.printable(text, 80) + "': dataset name "
                    + Names.problem(dataset));
        }
        if (rev.isEmpty()) {
            throw new LodeException("Invalid revision '" + Names.printable(text, 80) + "': nothing after '@'");
        }
        if (rev.indexOf('@') >= 0) {
            throw new LodeException("Invalid revision '" + Names.printable(text, 80) + "': more than one '@'");
        }
        return new Revision(dataset, rev);
    }

    /** Whether REV could be a commit-hash prefix: 8 to 64 lowercase hexadecimal digits. */
    public boolean couldBeHashPrefix() {
        if (rev.length() < MIN_PREFIX || rev.length() > ObjectId.HEX_LENGTH) {
            return false;
        }
        for (int i = 0; i < rev.length(); i++) {
            char c = rev.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return dataset + "@" + rev;
    }
}
