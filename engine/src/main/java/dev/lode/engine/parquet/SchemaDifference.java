package dev.lode.engine.parquet;

import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** Says in words how two schemas differ, for import errors. */
final class SchemaDifference {
    private SchemaDifference() {
    }

    static String describe(Schema expected, Schema actual) {
        String fields = describe(expected.getFields(), actual.getFields(), "");
        if (fields != null) {
            return fields;
        }
        if (!Objects.equals(expected.getCustomMetadata(), actual.getCustomMetadata())) {
            return "schema metadata " + actual.getCustomMetadata() + ", expected " + expected.getCustomMetadata();
        }
        return "schemas differ";
    }

    private static String describe(List<Field> expected, List<Field> actual, String parent) {
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            if (i >= actual.size()) {
                return "field " + parent + expected.get(i).getName() + " is missing";
            }
            Field a = actual.get(i);
            if (i >= expected.size()) {
                return "unexpected extra field " + parent + a.getName();
            }
            Field e = expected.get(i);
            String path = parent + e.getName();
            if (!e.getName().equals(a.getName())) {
                return "field " + (i + 1) + (parent.isEmpty() ? "" : " of " + parent) + " is named " + a.getName()
                        + ", expected " + e.getName();
            }
            if (!e.getType().equals(a.getType())) {
                return "field " + path + " has type " + a.getType() + ", expected " + e.getType();
            }
            if (e.isNullable() != a.isNullable()) {
                return "field " + path + " is " + (a.isNullable() ? "nullable" : "not nullable") + ", expected "
                        + (e.isNullable() ? "nullable" : "not nullable");
            }
            String children = describe(e.getChildren(), a.getChildren(), path + ".");
            if (children != null) {
                return children;
            }
            if (!Objects.equals(e.getMetadata(), a.getMetadata())) {
                return "field " + path + " has metadata " + a.getMetadata() + ", expected " + e.getMetadata();
            }
        }
        return null;
    }

    /** Reads a file's schema. */
    interface SchemaSource {
        Schema read(Path file) throws IOException;
    }

    /**
     * The schema every file has; several sources of one import must agree, else the error names the first file
     * whose schema differs, and how.
     */
    static Schema requireSame(List<Path> files, SchemaSource source) throws IOException {
        Schema schema = source.read(files.getFirst());
        for (Path file : files.subList(1, files.size())) {
            Schema other = source.read(file);
            if (!other.equals(schema)) {
                throw new dev.lode.engine.importer.ImportException(file, null, "schema differs from "
                        + files.getFirst() + ": " + describe(schema, other));
            }
        }
        return schema;
    }
}
