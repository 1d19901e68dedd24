package dev.lode.engine.importer.csv;

import dev.lode.engine.LodeException;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.json.Json;
import dev.lode.engine.json.JsonException;
import dev.lode.engine.parquet.Schemas;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An explicit schema for a CSV import (option {@code schema}: an Arrow schema as canonical JSON, docs/FORMAT-schema.md)
 * that every value must obey; nothing is inferred. Column {@code i} of the file is field {@code i} of the schema;
 * with a header, the header names must be the field names in the same order.
 * <p>
 * A field must be flat: int (8 to 64 bits, signed or not), floatingpoint (SINGLE or DOUBLE), bool, utf8, binary,
 * date (DAY) or timestamp (any unit, with or without time zone). Values follow {@link TextValues}' grammar; an
 * unquoted empty field is null, which a non-nullable field rejects; a quoted empty field is an empty utf8 or binary
 * value and an error in any other type. Ints must lie in the type's range; a float32 is rounded once from the text
 * (as {@link Float#parseFloat}) and must not overflow; a timestamp must not be finer than its unit (timestamps are
 * read to the microsecond, so a nanosecond column holds microsecond multiples) and is stored as UTC.
 * <p>
 * Immutable and thread-safe: each chunk is checked or converted with its own parser and scratch space.
 */
final class DeclaredSchema {
    private static final int MAX_SHOWN_VALUE = 60;

    private enum Kind { SIGNED, UNSIGNED, FLOAT32, FLOAT64, BOOL, UTF8, BINARY, DATE, TIMESTAMP }

    /** One column: its field, how its text converts, and the type name errors use. */
    private record Column(Field field, Kind kind, int bitWidth, long unitDivisor, long unitMultiplier,
                          String typeName) {
    }

    private final Schema schema;
    private final Column[] columns;

    private DeclaredSchema(Schema schema, Column[] columns) {
        this.schema = schema;
        this.columns = columns;
    }

    /** Reads the option's JSON; a malformed schema or a type a CSV column cannot hold is a {@link LodeException}. */
    static DeclaredSchema parse(String json) {
        Schema schema;
        try {
            schema = Schemas.fromJson(Json.parse(json));
        } catch (JsonException e) {
            throw new LodeException("Option schema is not valid schema JSON: " + e.getMessage(), e);
        } catch (LodeException e) {
            throw new LodeException("Option schema: " + e.getMessage(), e);
        }
        if (schema.getFields().isEmpty()) {
            throw new LodeException("Option schema declares no fields");
        }
        Set<String> seen = new HashSet<>();
        Column[] columns = new Column[schema.getFields().size()];
        for (int i = 0; i < columns.length; i++) {
            Field field = schema.getFields().get(i);
            if (!seen.add(field.getName())) {
                throw new LodeException("Option schema declares field '" + field.getName() + "' twice");
            }
            columns[i] = column(field);
        }
        return new DeclaredSchema(schema, columns);
    }

    private static Column column(Field field) {
        ArrowType type = field.getType();
        Column column = switch (type) {
            case ArrowType.Int integer -> new Column(field, integer.getIsSigned() ? Kind.SIGNED : Kind.UNSIGNED,
                    integer.getBitWidth(), 1, 1, (integer.getIsSigned() ? "int" : "uint") + integer.getBitWidth());
            case ArrowType.FloatingPoint floating when floating.getPrecision() == FloatingPointPrecision.SINGLE ->
                    new Column(field, Kind.FLOAT32, 32, 1, 1, "float32");
            case ArrowType.FloatingPoint floating when floating.getPrecision() == FloatingPointPrecision.DOUBLE ->
                    new Column(field, Kind.FLOAT64, 64, 1, 1, "float64");
            case ArrowType.Bool ignored -> new Column(field, Kind.BOOL, 1, 1, 1, "bool");
            case ArrowType.Utf8 ignored -> new Column(field, Kind.UTF8, 0, 1, 1, "utf8");
            case ArrowType.Binary ignored -> new Column(field, Kind.BINARY, 0, 1, 1, "binary");
            case ArrowType.Date date when date.getUnit() == DateUnit.DAY ->
                    new Column(field, Kind.DATE, 32, 1, 1, "date");
            case ArrowType.Timestamp timestamp -> {
                String unit = switch (timestamp.getUnit()) {
                    case SECOND -> "s";
                    case MILLISECOND -> "ms";
                    case MICROSECOND -> "us";
                    case NANOSECOND -> "ns";
                };
                long divisor = switch (timestamp.getUnit()) {
                    case SECOND -> 1_000_000L;
                    case MILLISECOND -> 1_000L;
                    default -> 1L;
                };
                long multiplier = timestamp.getUnit() == org.apache.arrow.vector.types.TimeUnit.NANOSECOND ? 1000 : 1;
                yield new Column(field, Kind.TIMESTAMP, 64, divisor, multiplier, "timestamp[" + unit
                        + (timestamp.getTimezone() == null ? "" : ", " + timestamp.getTimezone()) + "]");
            }
            default -> null;
        };
        if (column == null || !field.getChildren().isEmpty()) {
            throw new LodeException("Option schema: field '" + field.getName() + "' has type " + type
                    + ", which a CSV column cannot hold (int, floatingpoint, bool, utf8, binary, date of days,"
                    + " timestamp)");
        }
        return column;
    }

    Schema schema() {
        return schema;
    }

    int size() {
        return columns.length;
    }

    List<String> names() {
        List<String> names = new ArrayList<>();
        for (Column column : columns) {
            names.add(column.field().getName());
        }
        return names;
    }

    /** The header (line 1) of a file with one must name the schema's fields, in order. */
    void checkHeader(Path file, List<String> header) {
        for (int i = 0; i < Math.min(header.size(), columns.length); i++) {
            String declared = columns[i].field().getName();
            if (!declared.equals(header.get(i))) {
                throw new ImportException(file, "line 1", "column " + (i + 1) + " is named '" + header.get(i)
                        + "', the schema declares '" + declared + "'");
            }
        }
        if (header.size() != columns.length) {
            throw new ImportException(file, "line 1", "the header has " + header.size() + " columns, the schema"
                    + " declares " + columns.length + " (" + String.join(", ", names()) + ")");
        }
    }

    /** Pass one: checks that every value of the chunk converts, without storing anything. */
    void check(Path file, Chunk chunk, byte delimiter) {
        convert(file, chunk, delimiter, null);
    }

    /**
     * Pass two: converts the chunk's records into the vectors (allocated for {@code chunk.records()} rows) and
     * returns how many rows it wrote.
     */
    int fill(Path file, Chunk chunk, byte delimiter, FieldVector[] vectors) {
        return convert(file, chunk, delimiter, vectors);
    }

    private int convert(Path file, Chunk chunk, byte delimiter, FieldVector[] vectors) {
        RecordParser parser = new RecordParser(file, chunk, delimiter);
        TextValues values = new TextValues();
        byte[] bytes = chunk.bytes();
        byte[] scratch = new byte[256];
        int row = 0;
        while (parser.next()) {
            if (!parser.checkFieldCount(columns.length)) {
                continue;
            }
            for (int c = 0; c < columns.length; c++) {
                Column column = columns[c];
                FieldVector vector = vectors == null ? null : vectors[c];
                int start = parser.start(c);
                int end = parser.end(c);
                boolean quoted = parser.isQuoted(c);
                if (start == end && !quoted) {
                    if (!column.field().isNullable()) {
                        throw violation(file, parser, c, "empty value (null) in non-nullable " + column.typeName()
                                + " column");
                    }
                    if (vector != null) {
                        vector.setNull(row);
                    }
                    continue;
                }
                if (column.kind() == Kind.UTF8 || column.kind() == Kind.BINARY) {
                    if (vector == null) {
                        continue;
                    }
                    byte[] source = bytes;
                    int from = start;
                    int length = end - start;
                    if (parser.isEscaped(c)) {
                        if (scratch.length < length) {
                            scratch = new byte[Math.max(length, 2 * scratch.length)];
                        }
                        source = scratch;
                        from = 0;
                        length = parser.unescape(c, scratch);
                    }
                    if (vector instanceof VarCharVector text) {
                        text.setSafe(row, source, from, length);
                    } else {
                        ((VarBinaryVector) vector).setSafe(row, source, from, length);
                    }
                    continue;
                }
                if (start == end || parser.isEscaped(c)) {
                    throw notA(file, parser, c, column);
                }
                switch (column.kind()) {
                    case SIGNED -> {
                        if (!values.parseLong(bytes, start, end)) {
                            throw notA(file, parser, c, column);
                        }
                        long value = values.longValue;
                        if (column.bitWidth() < 64) {
                            long limit = 1L << (column.bitWidth() - 1);
                            if (value < -limit || value >= limit) {
                                throw outOfRange(file, parser, c, column, -limit + " to " + (limit - 1));
                            }
                        }
                        if (vector != null) {
                            ((BaseIntVector) vector).setWithPossibleTruncate(row, value);
                        }
                    }
                    case UNSIGNED -> {
                        if (!parseUnsigned(bytes, start, end, values)) {
                            throw notA(file, parser, c, column);
                        }
                        long value = values.longValue;
                        if (column.bitWidth() < 64 && Long.compareUnsigned(value, (1L << column.bitWidth()) - 1) > 0) {
                            throw outOfRange(file, parser, c, column, "0 to " + ((1L << column.bitWidth()) - 1));
                        }
                        if (vector != null) {
                            ((BaseIntVector) vector).setWithPossibleTruncate(row, value);
                        }
                    }
                    case FLOAT64 -> {
                        if (!values.parseDouble(bytes, start, end)) {
                            throw notA(file, parser, c, column);
                        }
                        if (vector != null) {
                            ((Float8Vector) vector).set(row, values.doubleValue);
                        }
                    }
                    case FLOAT32 -> {
                        if (!values.parseDouble(bytes, start, end)) {
                            throw notA(file, parser, c, column);
                        }
                        float value = (float) values.doubleValue;
                        if (!Double.isNaN(values.doubleValue) && !Double.isInfinite(values.doubleValue)) {
                            // Rounding the text once, not through a double, as a float32 writer would.
                            value = Float.parseFloat(new String(bytes, start, end - start,
                                    StandardCharsets.ISO_8859_1));
                            if (Float.isInfinite(value)) {
                                throw outOfRange(file, parser, c, column, "magnitude at most " + Float.MAX_VALUE);
                            }
                        }
                        if (vector != null) {
                            ((Float4Vector) vector).set(row, value);
                        }
                    }
                    case BOOL -> {
                        int value = TextValues.parseBoolean(bytes, start, end);
                        if (value < 0) {
                            throw notA(file, parser, c, column);
                        }
                        if (vector != null) {
                            ((BitVector) vector).set(row, value);
                        }
                    }
                    case DATE -> {
                        int days = TextValues.parseDate(bytes, start, end);
                        if (days == TextValues.NOT_A_DATE) {
                            throw notA(file, parser, c, column);
                        }
                        if (vector != null) {
                            ((DateDayVector) vector).set(row, days);
                        }
                    }
                    case TIMESTAMP -> {
                        long micros = TextValues.parseTimestamp(bytes, start, end);
                        if (micros == TextValues.NOT_A_TIMESTAMP) {
                            throw notA(file, parser, c, column);
                        }
                        if (micros % column.unitDivisor() != 0) {
                            throw violation(file, parser, c, "value '" + shown(parser, c) + "' is finer than "
                                    + column.typeName() + " can hold");
                        }
                        long value = micros / column.unitDivisor();
                        if (column.unitMultiplier() != 1) {
                            if (Math.abs(value) > Long.MAX_VALUE / column.unitMultiplier()) {
                                throw outOfRange(file, parser, c, column, "years 1677 to 2262");
                            }
                            value *= column.unitMultiplier();
                        }
                        if (vector != null) {
                            ((TimeStampVector) vector).set(row, value);
                        }
                    }
                    default -> throw new IllegalStateException("unexpected kind " + column.kind());
                }
            }
            row++;
        }
        return row;
    }

    /** Parses an unsigned 64-bit decimal without sign into {@code values.longValue} (as its two's complement). */
    private static boolean parseUnsigned(byte[] bytes, int start, int end, TextValues values) {
        if (bytes[start] == '-' || bytes[start] == '+') {
            return false;
        }
        if (values.parseLong(bytes, start, end)) {
            return true;
        }
        try {
            values.longValue = Long.parseUnsignedLong(new String(bytes, start, end - start,
                    StandardCharsets.ISO_8859_1));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private ImportException notA(Path file, RecordParser parser, int c, Column column) {
        return violation(file, parser, c, "value '" + shown(parser, c) + "' does not parse as " + column.typeName());
    }

    private ImportException outOfRange(Path file, RecordParser parser, int c, Column column, String range) {
        return violation(file, parser, c, "value '" + shown(parser, c) + "' is out of range for " + column.typeName()
                + " (" + range + ")");
    }

    private ImportException violation(Path file, RecordParser parser, int c, String reason) {
        return new ImportException(file, "line " + parser.recordLine() + ", column " + (c + 1) + " '"
                + columns[c].field().getName() + "'", reason);
    }

    /** The field's text for a message: at most 60 characters, line ends and control characters escaped. */
    private static String shown(RecordParser parser, int c) {
        String text = parser.text(c);
        boolean cut = text.length() > MAX_SHOWN_VALUE;
        StringBuilder out = new StringBuilder();
        text.substring(0, Math.min(text.length(), MAX_SHOWN_VALUE)).codePoints().forEach(point -> {
            if (point == '\n') {
                out.append("\\n");
            } else if (point == '\r') {
                out.append("\\r");
            } else if (point < 0x20) {
                out.append(String.format(Locale.ROOT, "\\x%02x", point));
            } else {
                out.appendCodePoint(point);
            }
        });
        return cut ? out + "..." : out.toString();
    }
}
