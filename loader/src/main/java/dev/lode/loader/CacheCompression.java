package dev.lode.loader;

/**
 * How the on-disk fragment cache stores its Arrow IPC files. {@link #NONE} (the default) is memory-mapped and
 * gathered from in place; {@link #LZ4_FRAME} (Arrow IPC body compression) takes less disk but is decompressed into
 * memory each time a fragment is opened. Files written either way are read either way.
 */
public enum CacheCompression {
    NONE,
    LZ4_FRAME
}
