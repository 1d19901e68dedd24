package dev.lode.engine.importer.csv;

import dev.lode.engine.LodeException;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Writes batches as comma-separated UTF-8 text with a header, LF line ends, that {@link CsvImporter} reads back to
 * the same values: nulls are empty fields, empty strings are {@code ""}, floats are {@link Double#toString} (the
 * shortest text that parses back bit for bit, {@code NaN}, {@code Infinity} and {@code -0.0} included), dates are
 * {@code yyyy-MM-dd} and timestamps {@code yyyy-MM-ddTHH:mm:ss[.ffffff]Z}. A field is quoted when it holds a
 * quote, a line end or any of the delimiters the importer detects ({@code , tab ; |}), so detection finds the comma.
 * <p>
 * Supported column types: signed integers, float64, boolean, date (day), timestamp (microseconds, UTC) and utf8;
 * others are rejected by {@link #open} with a {@link LodeException} naming the column. Dates and timestamps must lie
 * in the years 0000 to 9999. A string column whose values all look like numbers (possible only for tables that did
 * not come from a CSV) reads back as numbers. Not thread-safe.
 */
public final class CsvWriter implements AutoCloseable {
    private final Schema schema;
    private final OutputStream out;
    private final Path file;
    private final StringBuilder text = new StringBuilder();

    private CsvWriter(Path file, Schema schema, OutputStream out) {
        this.file = file;
        this.schema = schema;
        this.out = out;
    }

    /** Creates (or replaces) the file and writes the header; rejects unsupported column types before creating it. */
    public static CsvWriter open(Path file, Schema schema) throws IOException {
        requireNonNull(file, "file is null");
        requireNonNull(schema, "schema is null");
        for (Field field : schema.getFields()) {
            if (!supported(field.getType())) {
                throw new LodeException("Cannot export column '" + field.getName() + "' as CSV: type "
                        + field.getType() + " is not supported");
            }
        }
        CsvWriter writer = new CsvWriter(file, schema, new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        try {
            List<Field> fields = schema.getFields();
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) {
                    writer.out.write(',');
                }
                writer.writeText(fields.get(i).getName().getBytes(StandardCharsets.UTF_8));
            }
            writer.out.write('\n');
            return writer;
        } catch (IOException | RuntimeException e) {
            writer.out.close();
            throw e;
        }
    }

    /** Writes a whole table to a file. */
    public static void write(Path file, Schema schema, Iterable<VectorSchemaRoot> batches) throws IOException {
        try (CsvWriter writer = open(file, schema)) {
            for (VectorSchemaRoot batch : batches) {
                writer.write(batch);
            }
        }
    }

    private static boolean supported(ArrowType type) {
        return switch (type) {
            case ArrowType.Int integer -> integer.getIsSigned();
            case ArrowType.FloatingPoint floating -> floating.getPrecision() == FloatingPointPrecision.DOUBLE;
            case ArrowType.Bool bool -> true;
            case ArrowType.Date date -> date.getUnit() == DateUnit.DAY;
            case ArrowType.Timestamp timestamp -> timestamp.getUnit() == TimeUnit.MICROSECOND
                    && ColumnType.TIME_ZONE.equals(timestamp.getTimezone());
            case ArrowType.Utf8 utf8 -> true;
            default -> false;
        };
    }

    /** Appends the rows of a batch, which must have this writer's schema. */
    public void write(VectorSchemaRoot batch) throws IOException {
        requireNonNull(batch, "batch is null");
        if (!batch.getSchema().equals(schema)) {
            throw new IllegalArgumentException("batch schema " + batch.getSchema() + " differs from " + schema);
        }
        List<FieldVector> vectors = batch.getFieldVectors();
        int rows = batch.getRowCount();
        for (int row = 0; row < rows; row++) {
            for (int c = 0; c < vectors.size(); c++) {
                if (c > 0) {
                    out.write(',');
                }
                FieldVector vector = vectors.get(c);
                if (vector.isNull(row)) {
                    continue;
                }
                switch (vector) {
                    case VarCharVector strings -> writeText(strings.get(row));
                    case BaseIntVector integers -> ascii(Long.toString(integers.getValueAsLong(row)));
                    case Float8Vector floats -> ascii(Double.toString(floats.get(row)));
                    case BitVector bits -> ascii(bits.get(row) != 0 ? "true" : "false");
                    case DateDayVector dates -> date(vector, row, dates.get(row));
                    case TimeStampMicroTZVector timestamps -> timestamp(vector, row, timestamps.get(row));
                    default -> throw new IllegalStateException("unexpected vector " + vector.getClass());
                }
            }
            out.write('\n');
        }
    }

    private void writeText(byte[] value) throws IOException {
        boolean quote = value.length == 0;
        for (byte b : value) {
            if (b == '"' || b == '\n' || b == '\r' || b == ',' || b == '\t' || b == ';' || b == '|') {
                quote = true;
                break;
            }
        }
        if (!quote) {
            out.write(value);
            return;
        }
        out.write('"');
        for (byte b : value) {
            if (b == '"') {
                out.write('"');
            }
            out.write(b);
        }
        out.write('"');
    }

    private void ascii(String value) throws IOException {
        for (int i = 0; i < value.length(); i++) {
            out.write(value.charAt(i));
        }
    }

    private void date(FieldVector vector, int row, long epochDay) throws IOException {
        text.setLength(0);
        appendDate(vector, row, epochDay);
        ascii(text.toString());
    }

    private void timestamp(FieldVector vector, int row, long micros) throws IOException {
        long seconds = Math.floorDiv(micros, TextValues.MICROS_PER_SECOND);
        long fraction = Math.floorMod(micros, TextValues.MICROS_PER_SECOND);
        long days = Math.floorDiv(seconds, TextValues.SECONDS_PER_DAY);
        long secondOfDay = Math.floorMod(seconds, TextValues.SECONDS_PER_DAY);
        text.setLength(0);
        appendDate(vector, row, days);
        text.append('T');
        pad(secondOfDay / 3600, 2);
        text.append(':');
        pad(secondOfDay / 60 % 60, 2);
        text.append(':');
        pad(secondOfDay % 60, 2);
        if (fraction != 0) {
            text.append('.');
            pad(fraction, 6);
        }
        text.append('Z');
        ascii(text.toString());
    }

    private void appendDate(FieldVector vector, int row, long epochDay) {
        // Civil from days (H. Hinnant), the inverse of TextValues.epochDay.
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthIndex = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
        long month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 0 || year > 9999) {
            throw new LodeException("Cannot export column '" + vector.getName() + "' to " + file + ": row " + row
                    + " is in the year " + year + ", outside 0000-9999");
        }
        pad(year, 4);
        text.append('-');
        pad(month, 2);
        text.append('-');
        pad(day, 2);
    }

    private void pad(long value, int width) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            text.append('0');
        }
        text.append(digits);
    }

    /** Flushes and closes the file. */
    @Override
    public void close() throws IOException {
        out.close();
    }
}
