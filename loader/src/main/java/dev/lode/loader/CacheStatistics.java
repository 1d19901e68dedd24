package dev.lode.loader;

/**
 * What a loader's fragment caches did so far.
 *
 * @param parquetDecodes     fragments decoded from Parquet (each fetch from the remote included)
 * @param remoteFetches      fragment objects read from the remote (one GET each)
 * @param diskHits           fragments read from the disk cache (mapped, or decompressed)
 * @param diskWrites         cache files written
 * @param corruptFiles       cache files found damaged, deleted and rebuilt
 * @param diskEvictions      cache files deleted to keep within the budget
 * @param diskBytes          bytes of cache files in the folder, as this loader last saw it
 * @param diskWriteFailures  cache files that could not be written (the fragment was served from memory)
 */
public record CacheStatistics(long parquetDecodes, long remoteFetches, long diskHits, long diskWrites,
                              long corruptFiles, long diskEvictions, long diskBytes, long diskWriteFailures) {
}
