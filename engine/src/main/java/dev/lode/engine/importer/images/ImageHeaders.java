package dev.lode.engine.importer.images;

import dev.lode.engine.importer.ImportException;

import java.nio.file.Path;

/**
 * Width and height from an encoded image's header, without decoding it. The format is recognised by its signature,
 * not by the file's extension, because real data sets hold PNGs named .jpg. A file with no known signature, or a
 * header that is truncated or inconsistent, is an {@link ImportException} naming the byte offset.
 */
final class ImageHeaders {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** Dimensions in pixels, both positive. */
    record Dimensions(int width, int height) {
    }

    private ImageHeaders() {
    }

    static Dimensions read(Path file, byte[] bytes) {
        if (startsWith(bytes, PNG_SIGNATURE)) {
            return png(file, bytes);
        }
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8) {
            return jpeg(file, bytes);
        }
        if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) {
            return gif(file, bytes);
        }
        if (startsWith(bytes, ascii("BM"))) {
            return bmp(file, bytes);
        }
        if (startsWith(bytes, ascii("RIFF")) && bytes.length >= 12 && regionIs(bytes, 8, "WEBP")) {
            return webp(file, bytes);
        }
        throw new ImportException(file, "byte 0", "no PNG, JPEG, GIF, BMP or WebP signature"
                + (bytes.length == 0 ? " (the file is empty)" : ""));
    }

    private static Dimensions png(Path file, byte[] bytes) {
        need(file, bytes, 24, "PNG");
        if (!regionIs(bytes, 12, "IHDR")) {
            throw new ImportException(file, "byte 12", "the first PNG chunk must be IHDR");
        }
        return positive(file, 16, "PNG", s32be(bytes, 16), s32be(bytes, 20));
    }

    private static Dimensions jpeg(Path file, byte[] bytes) {
        int position = 2;
        while (true) {
            if (position >= bytes.length) {
                throw truncated(file, position, "JPEG", "no SOFn marker before the end of the file");
            }
            if ((bytes[position] & 0xFF) != 0xFF) {
                throw new ImportException(file, "byte " + position, String.format(
                        "expected a JPEG marker (0xFF), found 0x%02X", bytes[position] & 0xFF));
            }
            int markerAt = position;
            while (position < bytes.length && (bytes[position] & 0xFF) == 0xFF) {
                position++; // fill bytes
            }
            if (position >= bytes.length) {
                throw truncated(file, position, "JPEG", "the file ends inside a marker");
            }
            int marker = bytes[position++] & 0xFF;
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // standalone markers carry no length
            }
            if (marker == 0x00 || marker == 0xD8 || marker == 0xD9 || marker == 0xDA) {
                throw new ImportException(file, "byte " + markerAt, String.format(
                        "JPEG marker 0xFF%02X before any SOFn (frame header) marker", marker));
            }
            need(file, bytes, position + 2, "JPEG");
            int length = u16be(bytes, position);
            if (length < 2) {
                throw new ImportException(file, "byte " + position, "JPEG segment length " + length
                        + " is below 2");
            }
            boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (frame) {
                need(file, bytes, position + 7, "JPEG");
                int height = u16be(bytes, position + 3);
                if (height == 0) {
                    throw new ImportException(file, "byte " + (position + 3),
                            "JPEG frame height 0 (deferred to a DNL marker) is not supported");
                }
                return positive(file, position + 3, "JPEG", u16be(bytes, position + 5), height);
            }
            position += length;
            if (position > bytes.length) {
                throw truncated(file, bytes.length, "JPEG", String.format(
                        "the segment 0xFF%02X at byte %d runs past the end", marker, markerAt));
            }
        }
    }

    private static Dimensions gif(Path file, byte[] bytes) {
        need(file, bytes, 10, "GIF");
        return positive(file, 6, "GIF", u16le(bytes, 6), u16le(bytes, 8));
    }

    private static Dimensions bmp(Path file, byte[] bytes) {
        need(file, bytes, 18, "BMP");
        long headerSize = u32le(bytes, 14);
        if (headerSize == 12) { // BITMAPCOREHEADER: unsigned 16-bit sizes
            need(file, bytes, 22, "BMP");
            return positive(file, 18, "BMP", u16le(bytes, 18), u16le(bytes, 20));
        }
        if (headerSize < 40) {
            throw new ImportException(file, "byte 14", "BMP header size " + headerSize + " is not a known header");
        }
        need(file, bytes, 26, "BMP");
        int width = s32le(bytes, 18);
        int height = s32le(bytes, 22);
        // A negative height means rows are stored top-down; the image is |height| rows tall.
        return positive(file, 18, "BMP", width, height == Integer.MIN_VALUE ? 0 : Math.abs(height));
    }

    private static Dimensions webp(Path file, byte[] bytes) {
        need(file, bytes, 16, "WebP");
        if (regionIs(bytes, 12, "VP8X")) {
            need(file, bytes, 30, "WebP");
            return positive(file, 24, "WebP", u24le(bytes, 24) + 1, u24le(bytes, 27) + 1);
        }
        if (regionIs(bytes, 12, "VP8L")) {
            need(file, bytes, 25, "WebP");
            if ((bytes[20] & 0xFF) != 0x2F) {
                throw new ImportException(file, "byte 20", "the VP8L signature byte 0x2F is missing");
            }
            long bits = u32le(bytes, 21);
            return positive(file, 21, "WebP", (int) (bits & 0x3FFF) + 1, (int) ((bits >>> 14) & 0x3FFF) + 1);
        }
        if (regionIs(bytes, 12, "VP8 ")) {
            need(file, bytes, 30, "WebP");
            if ((bytes[23] & 0xFF) != 0x9D || (bytes[24] & 0xFF) != 0x01 || (bytes[25] & 0xFF) != 0x2A) {
                throw new ImportException(file, "byte 23", "the VP8 key frame start code is missing");
            }
            return positive(file, 26, "WebP", u16le(bytes, 26) & 0x3FFF, u16le(bytes, 28) & 0x3FFF);
        }
        throw new ImportException(file, "byte 12", "the first WebP chunk must be VP8, VP8L or VP8X");
    }

    private static Dimensions positive(Path file, int offset, String format, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new ImportException(file, "byte " + offset, format + " header gives " + width + "x" + height
                    + " pixels; both must be positive");
        }
        return new Dimensions(width, height);
    }

    private static void need(Path file, byte[] bytes, int length, String format) {
        if (bytes.length < length) {
            throw truncated(file, bytes.length, format, "needs at least " + length + " bytes, the file has "
                    + bytes.length);
        }
    }

    private static ImportException truncated(Path file, int offset, String format, String detail) {
        return new ImportException(file, "byte " + offset, "truncated " + format + " header: " + detail);
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean regionIs(byte[] bytes, int offset, String text) {
        if (bytes.length < offset + text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (bytes[offset + i] != (byte) text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static int u16be(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static int s32be(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    private static int u16le(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    private static int u24le(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16;
    }

    private static int s32le(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }

    private static long u32le(byte[] b, int i) {
        return s32le(b, i) & 0xFFFFFFFFL;
    }
}
