package dev.lode.engine.importer.csv;

import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The type inferred for a column, as a small lattice: {@link #NONE} (only nulls so far) is below everything,
 * {@link #INT64} widens to {@link #FLOAT64}, and any other mix is {@link #STRING}.
 */
enum ColumnType {
    NONE,
    BOOLEAN,
    INT64,
    FLOAT64,
    DATE,
    TIMESTAMP,
    STRING;

    static final String TIME_ZONE = "UTC";

    ColumnType merge(ColumnType other) {
        if (this == other || other == NONE) {
            return this;
        }
        if (this == NONE) {
            return other;
        }
        if ((this == INT64 && other == FLOAT64) || (this == FLOAT64 && other == INT64)) {
            return FLOAT64;
        }
        return STRING;
    }

    /** The Arrow type of a finished column; a column of nulls only is a string column. */
    ArrowType arrowType() {
        return switch (this) {
            case BOOLEAN -> ArrowType.Bool.INSTANCE;
            case INT64 -> new ArrowType.Int(64, true);
            case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case DATE -> new ArrowType.Date(DateUnit.DAY);
            case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, TIME_ZONE);
            case NONE, STRING -> ArrowType.Utf8.INSTANCE;
        };
    }

    static ColumnType[] merge(ColumnType[] into, ColumnType[] other) {
        for (int i = 0; i < into.length; i++) {
            into[i] = into[i].merge(other[i]);
        }
        return into;
    }
}
