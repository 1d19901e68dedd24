package dev.lode.engine.importer.csv;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;

/**
 * Recognises and parses the text of one field, straight from the bytes and without allocating in the common
 * cases. The grammar is strict so that recognising a type and parsing it never disagree: no surrounding spaces,
 * no hexadecimal or Java suffixes ("1d") that {@link Double#parseDouble} would otherwise accept.
 * <ul>
 *   <li>int64: {@code [+-]?[0-9]+} within the range of a long</li>
 *   <li>float64: {@code [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?}, or {@code nan}, {@code inf},
 *       {@code infinity} in any case, the last two with an optional sign</li>
 *   <li>boolean: {@code true} or {@code false} in any case</li>
 *   <li>date: {@code yyyy-MM-dd}, a valid calendar date</li>
 *   <li>timestamp: {@code yyyy-MM-dd[T ]HH:mm:ss[.f{1,9}][Z|+hh:mm|-hh:mm]}, UTC when no offset is given; fraction
 *       digits past the sixth must be zeros, so that no value is silently truncated to microseconds</li>
 * </ul>
 * Instances hold the last parsed number and are not thread-safe; each parsing thread has its own.
 */
final class TextValues {
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    static final long MICROS_PER_SECOND = 1_000_000L;
    static final int SECONDS_PER_DAY = 86_400;
    static final long NOT_A_TIMESTAMP = Long.MIN_VALUE;
    static final int NOT_A_DATE = Integer.MIN_VALUE;

    long longValue;
    double doubleValue;

    /** The narrowest type the unquoted text {@code bytes[start, end)} has; empty text must be handled by the caller. */
    ColumnType classify(byte[] bytes, int start, int end) {
        byte first = bytes[start];
        if ((first >= '0' && first <= '9') || first == '-' || first == '+' || first == '.') {
            if (parseLong(bytes, start, end)) {
                return ColumnType.INT64;
            }
            int length = end - start;
            if (length == 10 && parseDate(bytes, start, end) != NOT_A_DATE) {
                return ColumnType.DATE;
            }
            if (length >= 19 && parseTimestamp(bytes, start, end) != NOT_A_TIMESTAMP) {
                return ColumnType.TIMESTAMP;
            }
            return isDouble(bytes, start, end) ? ColumnType.FLOAT64 : ColumnType.STRING;
        }
        int lower = first | 0x20;
        if (lower == 't' || lower == 'f') {
            return parseBoolean(bytes, start, end) >= 0 ? ColumnType.BOOLEAN : ColumnType.STRING;
        }
        if (lower == 'n' || lower == 'i') {
            return isDouble(bytes, start, end) ? ColumnType.FLOAT64 : ColumnType.STRING;
        }
        return ColumnType.STRING;
    }

    /** Parses an int64 into {@link #longValue}; false when the text is not one (or is out of range). */
    boolean parseLong(byte[] bytes, int start, int end) {
        int i = start;
        boolean negative = false;
        byte first = bytes[i];
        if (first == '-' || first == '+') {
            negative = first == '-';
            i++;
        }
        if (i == end) {
            return false;
        }
        // Accumulate negatively so that Long.MIN_VALUE fits.
        long value = 0;
        for (; i < end; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                return false;
            }
            if (value < (Long.MIN_VALUE + digit) / 10) {
                return false;
            }
            value = value * 10 - digit;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return false;
            }
            value = -value;
        }
        longValue = value;
        return true;
    }

    /** 1 for true, 0 for false, -1 for neither. */
    static int parseBoolean(byte[] bytes, int start, int end) {
        int length = end - start;
        if (length == 4 && (bytes[start] | 0x20) == 't' && (bytes[start + 1] | 0x20) == 'r'
                && (bytes[start + 2] | 0x20) == 'u' && (bytes[start + 3] | 0x20) == 'e') {
            return 1;
        }
        if (length == 5 && (bytes[start] | 0x20) == 'f' && (bytes[start + 1] | 0x20) == 'a'
                && (bytes[start + 2] | 0x20) == 'l' && (bytes[start + 3] | 0x20) == 's'
                && (bytes[start + 4] | 0x20) == 'e') {
            return 0;
        }
        return -1;
    }

    /** Whether the text is a float64 by the grammar above. */
    static boolean isDouble(byte[] bytes, int start, int end) {
        return special(bytes, start, end) != 0 || decimalEnd(bytes, start, end) == end;
    }

    /**
     * Parses a float64 into {@link #doubleValue}, correctly rounded like {@link Double#parseDouble}; false when the
     * text is not one. Short decimals take an exact fast path (Clinger's: a mantissa below 2^53 times or divided by
     * an exactly representable power of ten is one correctly rounded operation).
     */
    boolean parseDouble(byte[] bytes, int start, int end) {
        int special = special(bytes, start, end);
        if (special != 0) {
            doubleValue = special == 2 ? Double.NaN : special > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            return true;
        }
        int i = start;
        boolean negative = false;
        if (bytes[i] == '-' || bytes[i] == '+') {
            negative = bytes[i] == '-';
            i++;
        }
        long mantissa = 0;
        int significant = 0;
        int exponent = 0;
        boolean dot = false;
        int digits = 0;
        for (; i < end; i++) {
            byte b = bytes[i];
            if (b >= '0' && b <= '9') {
                digits++;
                if (mantissa != 0 || b != '0') {
                    if (significant < 18) {
                        mantissa = mantissa * 10 + (b - '0');
                    }
                    significant++;
                }
                if (dot) {
                    exponent--;
                }
            } else if (b == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < end) {
            if ((bytes[i] | 0x20) != 'e') {
                return false;
            }
            i++;
            boolean negativeExponent = false;
            if (i < end && (bytes[i] == '-' || bytes[i] == '+')) {
                negativeExponent = bytes[i] == '-';
                i++;
            }
            if (i == end) {
                return false;
            }
            int written = 0;
            for (; i < end; i++) {
                int digit = bytes[i] - '0';
                if (digit < 0 || digit > 9) {
                    return false;
                }
                written = Math.min(written * 10 + digit, 100_000);
            }
            exponent += negativeExponent ? -written : written;
        }
        if (significant <= 15 && exponent >= -22 && exponent <= 22) {
            double value = exponent >= 0 ? mantissa * POWERS_OF_TEN[exponent] : mantissa / POWERS_OF_TEN[-exponent];
            doubleValue = negative ? -value : value;
            return true;
        }
        // Long mantissas (17-digit shortest repr output is common): Eisel-Lemire, as correctly rounded as
        // Double.parseDouble but without a String and big-integer arithmetic. The grammar was checked above.
        doubleValue = JavaDoubleParser.parseDouble(bytes, start, end - start);
        return true;
    }

    /** 0: not a special; 2: NaN; 1: +infinity; -1: -infinity. */
    private static int special(byte[] bytes, int start, int end) {
        int i = start;
        int sign = 1;
        if (bytes[i] == '-' || bytes[i] == '+') {
            sign = bytes[i] == '-' ? -1 : 1;
            i++;
        }
        int length = end - i;
        if (length == 3 && i == start && lowerEquals(bytes, i, "nan")) {
            return 2;
        }
        if ((length == 3 && lowerEquals(bytes, i, "inf")) || (length == 8 && lowerEquals(bytes, i, "infinity"))) {
            return sign;
        }
        return 0;
    }

    private static boolean lowerEquals(byte[] bytes, int at, String lower) {
        for (int k = 0; k < lower.length(); k++) {
            if ((bytes[at + k] | 0x20) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Where the decimal grammar stops matching; equals end exactly when the whole text is a decimal. */
    private static int decimalEnd(byte[] bytes, int start, int end) {
        int i = start;
        if (bytes[i] == '-' || bytes[i] == '+') {
            i++;
        }
        int digits = 0;
        while (i < end && bytes[i] >= '0' && bytes[i] <= '9') {
            i++;
            digits++;
        }
        if (i < end && bytes[i] == '.') {
            i++;
            while (i < end && bytes[i] >= '0' && bytes[i] <= '9') {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return -1;
        }
        if (i < end && (bytes[i] | 0x20) == 'e') {
            i++;
            if (i < end && (bytes[i] == '-' || bytes[i] == '+')) {
                i++;
            }
            int exponentDigits = 0;
            while (i < end && bytes[i] >= '0' && bytes[i] <= '9') {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return -1;
            }
        }
        return i;
    }

    /** Days since 1970-01-01 of a {@code yyyy-MM-dd} date, or {@link Integer#MIN_VALUE} when it is not one. */
    static int parseDate(byte[] bytes, int start, int end) {
        if (end - start != 10) {
            return NOT_A_DATE;
        }
        return dateAt(bytes, start);
    }

    static boolean isDate(byte[] bytes, int start, int end) {
        return parseDate(bytes, start, end) != NOT_A_DATE;
    }

    private static int dateAt(byte[] bytes, int at) {
        if (bytes[at + 4] != '-' || bytes[at + 7] != '-') {
            return NOT_A_DATE;
        }
        int year = digits(bytes, at, 4);
        int month = digits(bytes, at + 5, 2);
        int day = digits(bytes, at + 8, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
            return NOT_A_DATE;
        }
        return (int) epochDay(year, month, day);
    }

    /**
     * Microseconds since the epoch, UTC, of a timestamp by the grammar above, or {@link Long#MIN_VALUE} when the text
     * is not one.
     */
    static long parseTimestamp(byte[] bytes, int start, int end) {
        if (end - start < 19) {
            return NOT_A_TIMESTAMP;
        }
        int days = dateAt(bytes, start);
        byte separator = bytes[start + 10];
        if (days == NOT_A_DATE || (separator != 'T' && separator != 't' && separator != ' ')
                || bytes[start + 13] != ':' || bytes[start + 16] != ':') {
            return NOT_A_TIMESTAMP;
        }
        int hour = digits(bytes, start + 11, 2);
        int minute = digits(bytes, start + 14, 2);
        int second = digits(bytes, start + 17, 2);
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return NOT_A_TIMESTAMP;
        }
        int i = start + 19;
        long micros = 0;
        if (i < end && bytes[i] == '.') {
            i++;
            int fractionDigits = 0;
            while (i < end && bytes[i] >= '0' && bytes[i] <= '9') {
                if (fractionDigits < 6) {
                    micros = micros * 10 + (bytes[i] - '0');
                } else if (bytes[i] != '0') {
                    return NOT_A_TIMESTAMP;
                }
                fractionDigits++;
                i++;
            }
            if (fractionDigits == 0 || fractionDigits > 9) {
                return NOT_A_TIMESTAMP;
            }
            for (int k = fractionDigits; k < 6; k++) {
                micros *= 10;
            }
        }
        int offsetSeconds = 0;
        if (i < end) {
            byte zone = bytes[i];
            if ((zone == 'Z' || zone == 'z') && i + 1 == end) {
                i++;
            } else if ((zone == '+' || zone == '-') && end - i == 6 && bytes[i + 3] == ':') {
                int offsetHours = digits(bytes, i + 1, 2);
                int offsetMinutes = digits(bytes, i + 4, 2);
                if (offsetHours < 0 || offsetHours > 18 || offsetMinutes < 0 || offsetMinutes > 59) {
                    return NOT_A_TIMESTAMP;
                }
                offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (zone == '-' ? -1 : 1);
                i = end;
            } else {
                return NOT_A_TIMESTAMP;
            }
        }
        if (i != end) {
            return NOT_A_TIMESTAMP;
        }
        long seconds = (long) days * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second - offsetSeconds;
        return seconds * MICROS_PER_SECOND + micros;
    }

    static boolean isTimestamp(byte[] bytes, int start, int end) {
        return parseTimestamp(bytes, start, end) != NOT_A_TIMESTAMP;
    }

    private static int digits(byte[] bytes, int at, int count) {
        int value = 0;
        for (int k = 0; k < count; k++) {
            int digit = bytes[at + k] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    static long epochDay(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = Math.floorDiv(y, 400);
        int yearOfEra = y - era * 400;
        int dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097L + dayOfEra - 719_468;
    }
}
