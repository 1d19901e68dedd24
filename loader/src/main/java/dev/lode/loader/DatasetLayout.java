package dev.lode.loader;

import dev.lode.engine.LodeException;

import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * The row groups of a dataset, in storage order, by row count. Row r of the dataset is row r - start(g) of the row
 * group g whose range [start(g), start(g) + rows(g)) holds it. Immutable and thread-safe.
 */
public final class DatasetLayout {
    private final long[] rows;
    private final long[] starts;

    private DatasetLayout(long[] rows) {
        if (rows.length == 0) {
            throw new LodeException("A dataset layout needs at least one row group");
        }
        this.rows = rows;
        this.starts = new long[rows.length + 1];
        for (int g = 0; g < rows.length; g++) {
            if (rows[g] < 1) {
                throw new LodeException("Row group " + g + " has " + rows[g] + " rows; every row group needs at least one"
                        + " (leave empty row groups out of the layout)");
            }
            if (rows[g] > FeistelPermutation.MAX_SIZE - starts[g]) {
                throw new LodeException("Dataset has more than 2^62 rows at row group " + g);
            }
            starts[g + 1] = starts[g] + rows[g];
        }
    }

    /** A layout of the given row groups; every count must be at least 1. */
    public static DatasetLayout ofRowGroups(long... rowGroupRows) {
        requireNonNull(rowGroupRows, "rowGroupRows is null");
        return new DatasetLayout(rowGroupRows.clone());
    }

    /** A layout of one row group of rowCount rows, which is all that global and sequential orders look at. */
    public static DatasetLayout ofRows(long rowCount) {
        return new DatasetLayout(new long[] {rowCount});
    }

    public long rowCount() {
        return starts[rows.length];
    }

    public int rowGroupCount() {
        return rows.length;
    }

    public long rowGroupRows(int rowGroup) {
        return rows[rowGroup];
    }

    /** The dataset row index of the first row of the row group. */
    public long rowGroupStart(int rowGroup) {
        return starts[rowGroup];
    }

    /** The row group that holds the dataset row. */
    public int rowGroupOf(long row) {
        if (row < 0 || row >= rowCount()) {
            throw new IndexOutOfBoundsException("Row " + row + " is outside [0, " + rowCount() + ")");
        }
        int found = Arrays.binarySearch(starts, row);
        return found >= 0 ? found : -found - 2;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DatasetLayout layout && Arrays.equals(rows, layout.rows);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(rows);
    }

    @Override
    public String toString() {
        return "DatasetLayout[rows=" + rowCount() + ", rowGroups=" + rows.length + "]";
    }
}
