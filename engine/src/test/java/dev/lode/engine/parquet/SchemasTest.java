package dev.lode.engine.parquet;

import dev.lode.engine.LodeException;
import dev.lode.engine.json.Json;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.lode.engine.parquet.TestData.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SchemasTest {

    @Test
    void smallSchemaHasThisExactJson() {
        Schema schema = new Schema(List.of(
                new Field("id", new FieldType(false, new ArrowType.Int(64, true), null, Map.of("z", "1", "a", "2")), List.of()),
                field("tags", true, ArrowType.List.INSTANCE, field("item", true, ArrowType.Utf8.INSTANCE))),
                Map.of("source", "test"));
        assertEquals("{\"fields\":[{\"children\":[],\"metadata\":{\"a\":\"2\",\"z\":\"1\"},\"name\":\"id\",\"nullable\":false,"
                        + "\"type\":{\"bitWidth\":64,\"isSigned\":true,\"name\":\"int\"}},"
                        + "{\"children\":[{\"children\":[],\"metadata\":{},\"name\":\"item\",\"nullable\":true,\"type\":{\"name\":\"utf8\"}}],"
                        + "\"metadata\":{},\"name\":\"tags\",\"nullable\":true,\"type\":{\"name\":\"list\"}}],"
                        + "\"metadata\":{\"source\":\"test\"}}",
                Schemas.toJson(schema).toString());
    }

    @Test
    void everySupportedTypeRoundTripsThroughJson() {
        Schema schema = TestData.allTypes();
        Json json = Schemas.toJson(schema);
        assertEquals(schema, Schemas.fromJson(json));
        assertEquals(json, Schemas.fromJson(Json.parse(json.toString())).equals(schema) ? json : null);
        assertEquals(json.toString(), Schemas.toJson(Schemas.fromJson(Json.parse(json.toBytes()))).toString());
    }

    @Test
    void unknownTypeIsRejectedNamingFieldAndType() {
        Json json = Json.parse("{\"fields\":[{\"name\":\"s\",\"nullable\":true,\"children\":[],\"metadata\":{},"
                + "\"type\":{\"name\":\"struct\"}},{\"name\":\"when\",\"nullable\":true,\"children\":[],"
                + "\"type\":{\"name\":\"time\",\"unit\":\"SECOND\"}}],\"metadata\":{}}");
        LodeException e = assertThrows(LodeException.class, () -> Schemas.fromJson(json));
        assertEquals("Field when has unsupported type time", e.getMessage());
        LodeException decimal = assertThrows(LodeException.class, () -> Schemas.toJson(new Schema(List.of(
                field("s", true, ArrowType.Struct.INSTANCE, field("price", true, new ArrowType.Decimal(10, 2, 128)))))));
        assertEquals("Field s.price has unsupported Arrow type Decimal(10, 2, 128)", decimal.getMessage());
    }

    @Test
    void estimatedRowBytesFollowsTheDocumentedRule() {
        // i8..i64: 1+2+4+8, u: 1+2+4+8, f32 4, f64 8, bool 1, utf8 32, binary 256, date 4, 3 timestamps 24,
        // list<utf8> 4*32, struct{f64, list<i32>} 8 + 4*4, fixed list 3 x f32, fixed binary 4
        long expected = 15 + 15 + 4 + 8 + 1 + 32 + 256 + 4 + 24 + 128 + 24 + 12 + 4;
        assertEquals(expected, Schemas.estimatedRowBytes(TestData.allTypes()));
    }
}
