package dev.lode.engine;

/** The expected outcomes of a compare-and-set on a ref. Failures are thrown, these are returned. */
public enum CasResult {
    /** The ref had the expected value and now has the new one. */
    SUCCESS,
    /** The ref did not have the expected value (someone else moved it); nothing was written. */
    CONFLICT,
    /** The ref already had the new value, which was also the expected one; nothing was written. */
    NO_CHANGE
}
