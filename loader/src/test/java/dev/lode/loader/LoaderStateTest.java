package dev.lode.loader;

import dev.lode.engine.LodeException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoaderStateTest {
    private static final DatasetLayout LAYOUT = DatasetLayout.ofRowGroups(100, 57, 230, 8, 99, 120);
    private static final OrderPlan PLAN = OrderPlan.block(TestRandom.COMMIT, LAYOUT, 2, -5, 64, TailPolicy.PAD);

    @Test
    void jsonIsCanonicalAndParsesBack() {
        LoaderState state = PLAN.stateAt(3, 4);
        String json = state.toJson();
        assertEquals("{\"commit\":\"" + TestRandom.COMMIT + "\",\"epoch\":3,\"globalBatchSize\":64,\"mode\":\"block\","
                + "\"rowCount\":614,\"seed\":\"fffffffffffffffb\",\"specVersion\":1,\"step\":4,\"tail\":\"pad\","
                + "\"window\":2}", json);
        assertTrue(json.length() < 300, json.length() + " bytes");
        assertEquals(state, LoaderState.parse(json));
    }

    @Test
    void parsingIsStrictAndNamesTheField() {
        String json = PLAN.stateAt(0, 1).toJson();
        assertParseError(json.replace("\"step\":1", "\"step\":-1"), "Invalid loader state: field \"step\" must be >= 0, got -1");
        assertParseError(json.replace("\"step\":1", "\"step\":99"), "Invalid loader state: field \"step\" 99 is past the 10 steps of an epoch");
        assertParseError(json.replace(",\"tail\":\"pad\"", ""), "Invalid loader state: field \"tail\" is missing");
        assertParseError(json.replace("{", "{\"extra\":1,"), "Invalid loader state: field \"extra\" is not a loader state field;"
                + " expected [commit, epoch, globalBatchSize, mode, rowCount, seed, specVersion, step, tail, window]");
        assertParseError(json.replace("\"seed\":\"fffffffffffffffb\"", "\"seed\":-5"),
                "Invalid loader state: field \"seed\" expected a string, found a number");
        assertParseError(json.replace("\"seed\":\"fffffffffffffffb\"", "\"seed\":\"FB\""),
                "Invalid loader state: field \"seed\" expected 16 lowercase hexadecimal digits, got 'FB'");
        assertParseError(json.replace("\"mode\":\"block\"", "\"mode\":\"shuffle\""),
                "Invalid loader state: field \"mode\" Unknown order mode 'shuffle': expected global, block or sequential");
        assertParseError(json.replace("\"window\":2", "\"window\":0"),
                "Invalid loader state: field \"window\" Block order needs a window of at least 1 row group, got 0");
        assertParseError(json.replace(TestRandom.COMMIT, "abc"),
                "Invalid loader state: field \"commit\" expected 64 lowercase hexadecimal digits, got 'abc'");
        assertParseError(json.replace("\"epoch\":0", "\"epoch\":\"0\""),
                "Invalid loader state: field \"epoch\" expected an integer, found a string \"0\"");
        assertParseError("[1]", "Invalid loader state: expected an object, found an array");
    }

    private static void assertParseError(String json, String message) {
        assertEquals(message, assertThrows(LodeException.class, () -> LoaderState.parse(json)).getMessage());
    }

    @Test
    void resumeRejectsAnotherOrderNamingTheField() {
        LoaderState saved = PLAN.stateAt(1, 2);
        assertMismatch(OrderPlan.block(TestRandom.OTHER_COMMIT, LAYOUT, 2, -5, 64, TailPolicy.PAD), saved,
                "Cannot resume: commit differs, saved state has " + TestRandom.COMMIT + ", current plan has "
                        + TestRandom.OTHER_COMMIT);
        assertMismatch(new OrderPlan(TestRandom.COMMIT, LAYOUT, OrderMode.GLOBAL, -5, 64, TailPolicy.PAD, 0), saved,
                "Cannot resume: mode differs, saved state has block, current plan has global");
        assertMismatch(OrderPlan.block(TestRandom.COMMIT, LAYOUT, 2, -5, 32, TailPolicy.PAD), saved,
                "Cannot resume: globalBatchSize differs, saved state has 64, current plan has 32");
        assertMismatch(OrderPlan.block(TestRandom.COMMIT, LAYOUT, 2, 6, 64, TailPolicy.PAD), saved,
                "Cannot resume: seed differs, saved state has -5, current plan has 6");
        assertMismatch(OrderPlan.block(TestRandom.COMMIT, LAYOUT, 3, -5, 64, TailPolicy.PAD), saved,
                "Cannot resume: window differs, saved state has 2, current plan has 3");
        assertMismatch(OrderPlan.block(TestRandom.COMMIT, LAYOUT, 2, -5, 64, TailPolicy.DROP), saved,
                "Cannot resume: tail differs, saved state has pad, current plan has drop");
        LoaderState future = LoaderState.parse(saved.toJson().replace("\"specVersion\":1", "\"specVersion\":2"));
        ResumeMismatchException version = assertThrows(ResumeMismatchException.class, () -> PLAN.resume(future));
        assertEquals("Cannot resume: specVersion differs, saved state has 2, current plan has 1", version.getMessage());
        assertEquals("specVersion", version.field());
    }

    private static void assertMismatch(OrderPlan current, LoaderState saved, String message) {
        assertEquals(message, assertThrows(ResumeMismatchException.class, () -> current.resume(saved)).getMessage());
    }

    @Test
    void resumingAnywhereReplaysTheTailOfAnUninterruptedRun() {
        long steps = PLAN.stepsPerEpoch();
        assertEquals(10, steps);
        int total = 35;
        List<long[]> uninterrupted = new ArrayList<>();
        LoaderState state = PLAN.stateAt(0, 0);
        for (int i = 0; i < total; i++) {
            uninterrupted.add(PLAN.samplesFor(state.epoch(), state.step(), 0, 1));
            state = state.next();
        }
        assertEquals(new LoaderState(TestRandom.COMMIT, OrderMode.BLOCK, 1, -5, 3, 5, 64, TailPolicy.PAD, 614, 2), state);
        // Before, at and after the boundaries of epochs 0, 1 and 2; the resumed runs use other world sizes.
        for (long resumeAt : new long[] {0, 1, 9, 10, 11, 19, 20, 21, 30}) {
            LoaderState saved = PLAN.stateAtGlobalStep(resumeAt);
            LoaderState resumed = PLAN.resume(LoaderState.parse(saved.toJson()));
            assertEquals(resumeAt, resumed.globalStep());
            for (int world : new int[] {1, 2, 4}) {
                LoaderState cursor = resumed;
                for (long g = resumeAt; g < total; g++) {
                    long[] joined = new long[0];
                    for (int rank = 0; rank < world; rank++) {
                        long[] slice = PLAN.samplesFor(cursor.epoch(), cursor.step(), rank, world);
                        long[] next = java.util.Arrays.copyOf(joined, joined.length + slice.length);
                        System.arraycopy(slice, 0, next, joined.length, slice.length);
                        joined = next;
                    }
                    assertArrayEquals(uninterrupted.get((int) g), joined, "resumed at " + resumeAt + ", step " + g);
                    cursor = cursor.next();
                }
            }
        }
        // A state saved after the last step of an epoch resumes at the next epoch's step 0.
        LoaderState endOfEpoch = new LoaderState(TestRandom.COMMIT, OrderMode.BLOCK, 1, -5, 1, 10, 64, TailPolicy.PAD,
                614, 2);
        LoaderState resumed = PLAN.resume(endOfEpoch);
        assertEquals(2, resumed.epoch());
        assertEquals(0, resumed.step());
    }
}
