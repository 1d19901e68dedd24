package dev.lode.loader;

import dev.lode.engine.LodeException;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Which dataset columns a loader can deliver, and how each lies in a slab. */
final class LoaderColumns {
    private LoaderColumns() {
    }

    /**
     * The slab columns for the requested names (all columns, in schema order, when names is empty), each with
     * variableBytesPerBatch of room when it is binary or utf8.
     *
     * @throws LodeException naming the column that does not exist or whose type the loader cannot deliver
     */
    static List<SlabColumn> select(Schema schema, List<String> names, long variableBytesPerBatch) {
        Map<String, Field> byName = new LinkedHashMap<>();
        for (Field field : schema.getFields()) {
            byName.put(field.getName(), field);
        }
        List<String> wanted = names.isEmpty() ? List.copyOf(byName.keySet()) : names;
        List<SlabColumn> columns = new ArrayList<>();
        for (String name : wanted) {
            Field field = byName.get(name);
            if (field == null) {
                throw new LodeException("Cannot load column '" + name + "': the dataset has columns "
                        + byName.keySet());
            }
            try {
                columns.add(SlabColumn.of(field, variableBytesPerBatch));
            } catch (IllegalArgumentException unsupported) {
                throw new LodeException("Cannot load column '" + name + "': " + unsupported.getMessage()
                        + "; leave it out with columns(...)", unsupported);
            }
        }
        return List.copyOf(columns);
    }
}
