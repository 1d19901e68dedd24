package dev.lode.engine;

/**
 * What an import did. {@code newObjects}/{@code newBytes} count objects this import actually wrote (fragments,
 * manifest, commit); unchanged fragments re-used from earlier versions are not counted.
 */
public record ImportResult(CommitOutcome outcome, ObjectId manifestId, Manifest manifest, String format,
                           boolean conversionCached, long newObjects, long newBytes, long sourceBytes) {
}
