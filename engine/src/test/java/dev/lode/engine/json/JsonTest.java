package dev.lode.engine.json;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    @Test
    void canonicalFormSortsKeysByCodePointAndHasNoWhitespace() {
        Json value = Json.parse(" { \"b\" : 1 , \"a\" : [ true , null , \"x\" ], \"\uD83D\uDE00\": 2, \"\uFFFF\": 3 } ");
        // U+1F600 sorts after U+FFFF by code point, although its UTF-16 form sorts before.
        assertEquals("{\"a\":[true,null,\"x\"],\"b\":1,\"\uFFFF\":3,\"\uD83D\uDE00\":2}", value.toString());
        assertEquals(value, Json.parse(value.toString()));
    }

    @Test
    void numbersHaveOneSpelling() {
        assertEquals("[1,-5,0.1,1.0E20,-0.0,123456789012345]",
                Json.parse("[1, -5, 0.1, 1e20, -0.0, 123456789012345]").toString());
        assertEquals("\"NaN\"", Json.of(Double.NaN).toString());
        assertEquals(Double.NEGATIVE_INFINITY, Json.of(Double.NEGATIVE_INFINITY).asDouble());
    }

    @Test
    void stringsEscapeOnlyWhatJsonRequires() {
        Json value = Json.of("quote\" back\\ tab\t nl\n ctl\u0001 é");
        assertEquals("\"quote\\\" back\\\\ tab\\t nl\\n ctl\\u0001 é\"", value.toString());
        assertEquals(value, Json.parse(value.toString()));
    }

    @Test
    void malformedTextIsRejectedWithItsOffset() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "\"\\x\"", "tru",
                "[1] 2", "{\"a\":1,\"a\":2}", "\"\u0001\"", "1e999")) {
            JsonException e = assertThrows(JsonException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains("at byte"), e.getMessage());
        }
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than"), e.getMessage());
    }

    @Test
    void typedAccessNamesTheKey() {
        var object = Json.parse("{\"rows\":\"many\"}").asObject();
        JsonException e = assertThrows(JsonException.class, () -> object.getLong("rows"));
        assertEquals("\"rows\": expected an integer, found a string \"many\"", e.getMessage());
        assertEquals("missing key \"manifest\"", assertThrows(JsonException.class,
                () -> object.getString("manifest")).getMessage());
    }
}
