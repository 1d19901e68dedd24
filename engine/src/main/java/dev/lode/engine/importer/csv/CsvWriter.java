package dev.lode.engine.importer.csv;

import dev.lode.engine.LodeException;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Writes batches as comma-separated UTF-8 text with a header, LF line ends, that {@link CsvImporter} reads back to
 * the same values: nulls are empty fields, empty strings are {@code ""}, floats are {@link Double#toString} (the
 * shortest text that parses back bit for bit, {@code NaN}, {@code Infinity} and {@code -0.0} included), dates are
 * {@code yyyy-MM-dd} and timestamps {@code yyyy-MM-ddTHH:mm:ss[.ffffff]Z}. A field is quoted when it holds a
 * quote, a line end or any of the delimiters the importer detects ({@code , tab ; |}), so detection finds the comma.
 * <p>
 * Those are the types a CSV import gives: signed integers, float64, boolean, date (day), timestamp (microseconds,
 * UTC) and utf8. The other types Lode stores (docs/FORMAT-schema.md) are written as text that keeps every value
 * exactly, though a CSV import reads them back as other types: unsigned integers in decimal; float32 as
 * {@link Float#toString} (shortest text that parses back to the same float); binary and fixed-size binary as
 * base64 (RFC 4648, padded); timestamps of any unit as above with as many fraction digits as the unit needs
 * (3, 6 or 9, none when zero), ending in {@code Z} when the type has a time zone; lists, fixed-size lists (tensors)
 * and structs as one JSON value ({@code [1.5,-0.0]}, {@code {"a":1,"b":null}}) whose numbers follow the scalar
 * rules ({@code NaN}, {@code Infinity} and {@code -Infinity} bare, as Python's json writes them), with strings,
 * dates, timestamps and base64 binary as JSON strings. Other types are rejected by {@link #open} with a
 * {@link LodeException} naming the column. Dates and timestamps must lie in the years 0000 to 9999. A string column
 * whose values all look like numbers (possible only for tables that did not come from a CSV) reads back as numbers.
 * Not thread-safe.
 */
public final class CsvWriter implements AutoCloseable {
    private static final Base64.Encoder BASE64 = Base64.getEncoder();
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
            if (!supported(field)) {
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

    private static boolean supported(Field field) {
        boolean childrenSupported = field.getChildren().stream().allMatch(CsvWriter::supported);
        return childrenSupported && switch (field.getType()) {
            case ArrowType.Int integer -> true;
            case ArrowType.FloatingPoint floating -> floating.getPrecision() != FloatingPointPrecision.HALF;
            case ArrowType.Bool bool -> true;
            case ArrowType.Date date -> date.getUnit() == DateUnit.DAY;
            case ArrowType.Timestamp timestamp -> true;
            case ArrowType.Utf8 utf8 -> true;
            case ArrowType.Binary binary -> true;
            case ArrowType.FixedSizeBinary binary -> true;
            case ArrowType.List list -> true;
            case ArrowType.FixedSizeList list -> true;
            case ArrowType.Struct struct -> true;
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
                    case BaseIntVector integers -> ascii(integer(vector, integers, row));
                    case Float8Vector floats -> ascii(Double.toString(floats.get(row)));
                    case Float4Vector floats -> ascii(Float.toString(floats.get(row)));
                    case BitVector bits -> ascii(bits.get(row) != 0 ? "true" : "false");
                    case DateDayVector dates -> date(vector, row, dates.get(row));
                    case TimeStampVector timestamps -> {
                        text.setLength(0);
                        appendTimestamp(vector, row, timestamps.get(row));
                        ascii(text.toString());
                    }
                    case VarBinaryVector binary -> ascii(BASE64.encodeToString(binary.get(row)));
                    case FixedSizeBinaryVector binary -> ascii(BASE64.encodeToString(binary.get(row)));
                    default -> {
                        text.setLength(0);
                        appendJson(vector, row);
                        writeText(text.toString().getBytes(StandardCharsets.UTF_8));
                    }
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

    /** Decimal text of an integer, unsigned types read as unsigned. */
    private static String integer(FieldVector vector, BaseIntVector integers, int row) {
        long value = integers.getValueAsLong(row);
        ArrowType.Int type = (ArrowType.Int) vector.getField().getType();
        if (type.getIsSigned()) {
            return Long.toString(value);
        }
        return type.getBitWidth() == 64 ? Long.toUnsignedString(value)
                : Long.toString(value & ((1L << type.getBitWidth()) - 1));
    }

    /** One value of a nested column (or of a nested column's child) as JSON, by the rules in the class comment. */
    private void appendJson(FieldVector vector, int index) {
        if (vector.isNull(index)) {
            text.append("null");
            return;
        }
        switch (vector) {
            case VarCharVector strings -> appendJsonString(new String(strings.get(index), StandardCharsets.UTF_8));
            case BaseIntVector integers -> text.append(integer(vector, integers, index));
            case Float8Vector floats -> text.append(Double.toString(floats.get(index)));
            case Float4Vector floats -> text.append(Float.toString(floats.get(index)));
            case BitVector bits -> text.append(bits.get(index) != 0 ? "true" : "false");
            case DateDayVector dates -> {
                text.append('"');
                appendDate(vector, index, dates.get(index));
                text.append('"');
            }
            case TimeStampVector timestamps -> {
                text.append('"');
                appendTimestamp(vector, index, timestamps.get(index));
                text.append('"');
            }
            case VarBinaryVector binary -> text.append('"').append(BASE64.encodeToString(binary.get(index)))
                    .append('"');
            case FixedSizeBinaryVector binary -> text.append('"').append(BASE64.encodeToString(binary.get(index)))
                    .append('"');
            case FixedSizeListVector list -> {
                int size = list.getListSize();
                appendJsonElements(list.getDataVector(), index * size, (index + 1) * size);
            }
            case ListVector list -> appendJsonElements(list.getDataVector(), list.getElementStartIndex(index),
                    list.getElementEndIndex(index));
            case StructVector struct -> {
                text.append('{');
                List<FieldVector> children = struct.getChildrenFromFields();
                for (int c = 0; c < children.size(); c++) {
                    if (c > 0) {
                        text.append(',');
                    }
                    appendJsonString(children.get(c).getName());
                    text.append(':');
                    appendJson(children.get(c), index);
                }
                text.append('}');
            }
            default -> throw new IllegalStateException("unexpected vector " + vector.getClass());
        }
    }

    private void appendJsonElements(FieldVector elements, int start, int end) {
        text.append('[');
        for (int i = start; i < end; i++) {
            if (i > start) {
                text.append(',');
            }
            appendJson(elements, i);
        }
        text.append(']');
    }

    private void appendJsonString(String value) {
        text.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> text.append("\\\"");
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\t' -> text.append("\\t");
                default -> {
                    if (c < 0x20) {
                        text.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        text.append('"');
    }

    /** A timestamp of the vector's unit as yyyy-MM-ddTHH:mm:ss[.f], fraction digits by unit, Z with a time zone. */
    private void appendTimestamp(FieldVector vector, int row, long value) {
        ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
        long perSecond = switch (type.getUnit()) {
            case SECOND -> 1;
            case MILLISECOND -> 1_000;
            case MICROSECOND -> 1_000_000;
            case NANOSECOND -> 1_000_000_000;
        };
        int digits = switch (type.getUnit()) {
            case SECOND -> 0;
            case MILLISECOND -> 3;
            case MICROSECOND -> 6;
            case NANOSECOND -> 9;
        };
        long seconds = Math.floorDiv(value, perSecond);
        long fraction = Math.floorMod(value, perSecond);
        long days = Math.floorDiv(seconds, TextValues.SECONDS_PER_DAY);
        long secondOfDay = Math.floorMod(seconds, TextValues.SECONDS_PER_DAY);
        appendDate(vector, row, days);
        text.append('T');
        pad(secondOfDay / 3600, 2);
        text.append(':');
        pad(secondOfDay / 60 % 60, 2);
        text.append(':');
        pad(secondOfDay % 60, 2);
        if (fraction != 0) {
            text.append('.');
            pad(fraction, digits);
        }
        if (type.getTimezone() != null) {
            text.append('Z');
        }
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
