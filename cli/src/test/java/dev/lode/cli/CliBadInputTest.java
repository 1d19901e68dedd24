package dev.lode.cli;

import dev.lode.engine.importer.numpy.NpyWriter;
import dev.lode.engine.json.Json;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Matrix;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input of issue #3, one case each, through {@code lode import}: exit 1, one line on stderr naming
 * the file, where in it and why, no commit, no ref change, and {@code lode verify} still passes. The engine tests of
 * each importer check the same errors in more variants; this class makes sure none is missing at the command line.
 */
class CliBadInputTest {
    @TempDir
    Path folder;

    /**
     * The bad import: the sources and options after {@code import --repo R d}, and the exact message expected after
     * "lode: " with {@code FILE} standing for the offending file's path.
     */
    record Attempt(Path file, List<String> arguments, String expected) {
    }

    @FunctionalInterface
    interface Fixture {
        Attempt make(Path folder, String repo) throws Exception;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("ragged rows", (Fixture) (folder, repo) -> csv(folder, "a,b\n1,2\n3\n",
                        "line 3: 1 field, expected 2")),
                Arguments.of("unterminated quote", (Fixture) (folder, repo) -> csv(folder, "a,b\n1,2\n3,\"open\n4,5\n",
                        "line 3: a quoted field is not closed before the end of the file")),
                Arguments.of("invalid UTF-8", (Fixture) (folder, repo) -> {
                    Path file = Files.write(folder.resolve("bad.csv"), concat("a,b\n1,2\n3,".getBytes(
                            StandardCharsets.US_ASCII), new byte[] {(byte) 0xC3, '(', '\n'}));
                    return new Attempt(file, List.of(file.toString()), "Cannot import FILE: byte 10: invalid UTF-8");
                }),
                Arguments.of("explicit schema violation", (Fixture) (folder, repo) -> {
                    Path schema = Files.writeString(folder.resolve("schema.json"), "{\"fields\":[{\"name\":\"a\","
                            + "\"nullable\":true,\"type\":{\"name\":\"int\",\"bitWidth\":64,\"isSigned\":true}}]}");
                    Path file = Files.writeString(folder.resolve("bad.csv"), "a\n1\n2.5\n");
                    return new Attempt(file, List.of(file.toString(), "--schema", schema.toString()),
                            "Cannot import FILE: line 3, column 1 'a': value '2.5' does not parse as int64");
                }),
                Arguments.of("truncated .npy", (Fixture) (folder, repo) -> {
                    byte[] whole = NpyWriter.array("<f8", false, new long[] {4, 2}, i -> i);
                    Path file = Files.write(folder.resolve("bad.npy"), Arrays.copyOf(whole, whole.length - 10));
                    return new Attempt(file, List.of(file.toString()), "Cannot import FILE: byte "
                            + (whole.length - 10) + ": truncated: expected 64 bytes of data, found 54");
                }),
                Arguments.of("corrupt .npz", (Fixture) (folder, repo) -> {
                    byte[] zip = zip(NpyWriter.array("<i8", false, new long[] {4096}, i -> i * 7919L));
                    for (int i = 200; i < 400; i++) {
                        zip[i] = (byte) (i * 31);
                    }
                    Path file = Files.write(folder.resolve("bad.npz"), zip);
                    return new Attempt(file, List.of(file.toString()), null);
                }),
                Arguments.of("truncated HDF5", (Fixture) (folder, repo) -> {
                    Path whole = folder.resolve("whole.h5");
                    try (WritableHdfFile writer = HdfFile.write(whole)) {
                        writer.putDataset("x", new double[2000]);
                    }
                    byte[] bytes = Files.readAllBytes(whole);
                    Path file = Files.write(folder.resolve("bad.h5"), Arrays.copyOf(bytes, bytes.length / 2));
                    return new Attempt(file, List.of(file.toString()), "Cannot import FILE: truncated: the superblock"
                            + " says the file ends at byte " + bytes.length + ", but it has " + bytes.length / 2
                            + " bytes");
                }),
                Arguments.of("corrupt .mat", (Fixture) (folder, repo) -> {
                    Matrix matrix = Mat5.newMatrix(500, 4);
                    for (int i = 0; i < 2000; i++) {
                        matrix.setDouble(i, i);
                    }
                    var mat = Mat5.newMatFile().addArray("x", matrix);
                    Path whole = folder.resolve("whole.mat");
                    Mat5.writeToFile(mat, whole.toFile());
                    byte[] bytes = Files.readAllBytes(whole);
                    for (int i = 128; i < 200; i++) {
                        bytes[i] = (byte) (i * 37);
                    }
                    Path file = Files.write(folder.resolve("bad.mat"), bytes);
                    return new Attempt(file, List.of(file.toString()), null);
                }),
                Arguments.of("corrupt Parquet", (Fixture) (folder, repo) -> {
                    Path exported = folder.resolve("exported");
                    assertEquals(0, CliRunner.run("export", "--repo", repo, "d", "--to", exported.toString(),
                            "--format", "parquet").exitCode());
                    Path part;
                    try (Stream<Path> files = Files.list(exported)) {
                        part = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
                    }
                    byte[] bytes = Files.readAllBytes(part);
                    int footerLength = java.nio.ByteBuffer.wrap(bytes, bytes.length - 8, 4)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
                    int footer = bytes.length - 8 - footerLength;
                    for (int i = 4; i < footer; i++) {
                        bytes[i] = (byte) (i * 31);
                    }
                    Path file = Files.write(folder.resolve("bad.parquet"), bytes);
                    return new Attempt(file, List.of(file.toString()), null);
                }),
                Arguments.of("unsupported dtype", (Fixture) (folder, repo) -> {
                    Path file = Files.write(folder.resolve("bad.npy"), NpyWriter.concat(NpyWriter.header(1,
                            NpyWriter.dict("<c16", false, 2), 32), new byte[32]));
                    return new Attempt(file, List.of(file.toString()), "Cannot import FILE: unsupported dtype"
                            + " '<c16'; supported: b1, i1-i8, u1-u8, f4, f8, S<n>, U<n>");
                }),
                Arguments.of("zip bomb in .npz", (Fixture) (folder, repo) -> {
                    byte[] small = NpyWriter.array("|u1", false, new long[] {4}, i -> i);
                    byte[] bomb = NpyWriter.concat(small, new byte[50 << 20]);
                    Path file = Files.write(folder.resolve("bad.npz"), NpyWriter.forgedZip("x.npy", bomb,
                            small.length));
                    assertTrue(Files.size(file) < 200_000, "small on disk");
                    return new Attempt(file, List.of(file.toString()), "Cannot import FILE: member x.npy: the member"
                            + " inflates to more than its declared " + small.length + " bytes (a zip bomb?)");
                }),
                Arguments.of("empty file", (Fixture) (folder, repo) -> csv(folder, "", "the file is empty")),
                Arguments.of("missing file", (Fixture) (folder, repo) -> {
                    Path file = folder.resolve("missing.csv");
                    return new Attempt(file, List.of(file.toString()), "Cannot import FILE: no such file or folder");
                }),
                Arguments.of("multi-source schema disagreement", (Fixture) (folder, repo) -> {
                    Path first = Files.writeString(folder.resolve("first.csv"), "a,b\n1,2\n");
                    Path file = Files.writeString(folder.resolve("bad.csv"), "a,c\n3,4\n");
                    return new Attempt(file, List.of(first.toString(), file.toString()), "Cannot import FILE: line 1:"
                            + " column 2 is named 'c', expected 'b' as in " + first);
                }));
    }

    private static Attempt csv(Path folder, String content, String expected) throws IOException {
        Path file = Files.writeString(folder.resolve("bad.csv"), content);
        return new Attempt(file, List.of(file.toString()), "Cannot import FILE: " + expected);
    }

    private static byte[] zip(byte[] member) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("x.npy"));
            zip.write(member);
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private Json.JsonObject json(String... args) {
        CliRunner.Result result = CliRunner.run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + ": " + result.err());
        return Json.parse(result.out().trim()).asObject();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputExitsOneNamingFileAndPlaceAndChangesNothing(String name, Fixture fixture) throws Exception {
        String repo = folder.resolve("repo").toString();
        assertEquals(0, CliRunner.run("init", repo).exitCode());
        Path good = Files.writeString(folder.resolve("good.csv"), "id,score\n1,0.5\n2,1.5\n");
        String head = json("import", "--repo", repo, "d", good.toString(), "--json").getString("commit");

        Attempt attempt = fixture.make(folder, repo);
        List<String> command = new ArrayList<>(List.of("import", "--repo", repo, "d"));
        command.addAll(attempt.arguments());
        CliRunner.Result result = CliRunner.run(command.toArray(String[]::new));

        assertEquals(1, result.exitCode(), name + ": " + result.err());
        assertEquals("", result.out(), name);
        assertEquals(1, result.err().lines().count(), name + ": one line: " + result.err());
        String message = result.err().trim();
        String prefix = "lode: Cannot import " + attempt.file() + ": ";
        assertTrue(message.startsWith(prefix), name + ": names the file: " + message);
        if (attempt.expected() != null) {
            assertEquals("lode: " + attempt.expected().replace("FILE", attempt.file().toString()), message, name);
        } else {
            String rest = message.substring(prefix.length());
            assertTrue(rest.matches("(byte|member \\S+, byte|line|row group) \\d+.*: .{8,}"),
                    name + ": names a byte offset or line and a reason: " + message);
        }
        assertFalse(message.contains("Exception"), name + ": no exception class names: " + message);

        assertEquals(head, json("show", "--repo", repo, "d", "--json").getString("commit"), name + ": ref unchanged");
        assertEquals(1, json("log", "--repo", repo, "d", "--json").getArray("entries").size(), name + ": no commit");
        Json.JsonObject verify = json("verify", "--repo", repo, "--json");
        assertTrue(verify.find("ok").orElseThrow().asBoolean(), name + ": " + verify);
    }
}
