package dev.lode.engine.importer.csv;

import dev.lode.engine.importer.ImportException;

/**
 * Whole records cut from a file, or the error that stopped the cutting, in the place of the file where it was
 * found so that errors are reported in file order.
 *
 * @param bytes     the records, each with its line end (the last one may lack it at the end of the file)
 * @param records   how many records (an upper bound on rows: blank lines may be skipped)
 * @param firstLine the line (1-based) where the first record starts
 * @param firstByte the file offset of bytes[0]
 * @param error     instead of records, the error found at this point; null normally
 */
record Chunk(byte[] bytes, int records, long firstLine, long firstByte, ImportException error) {
}
