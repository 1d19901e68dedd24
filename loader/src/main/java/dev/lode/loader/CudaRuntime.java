package dev.lode.loader;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Downcalls into the CUDA runtime (libcudart), found once per process. {@link #load()} never throws: when the
 * library or a usable device is missing it returns the reason instead. Thread-safe (the handles are immutable; CUDA
 * runtime calls are thread-safe).
 */
final class CudaRuntime {
    static final int HOST_ALLOC_DEFAULT = 0;
    static final int HOST_ALLOC_PORTABLE = 1;
    static final int MEMCPY_HOST_TO_DEVICE = 1;
    static final int MEMCPY_DEVICE_TO_HOST = 2;

    /** Either a runtime with at least one device, or why there is none. */
    record Loaded(CudaRuntime runtime, String reason) {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Loaded LOADED = find(System.getenv("LODE_CUDART"));

    private final String library;
    private final MethodHandle hostAlloc;
    private final MethodHandle freeHost;
    private final MethodHandle malloc;
    private final MethodHandle free;
    private final MethodHandle memcpy;
    private final MethodHandle getDeviceCount;
    private final MethodHandle getErrorString; // null when the library lacks it

    private CudaRuntime(String library, SymbolLookup lookup) {
        this.library = library;
        this.hostAlloc = handle(lookup, "cudaHostAlloc", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        this.freeHost = handle(lookup, "cudaFreeHost", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        this.malloc = handle(lookup, "cudaMalloc", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        this.free = handle(lookup, "cudaFree", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        this.memcpy = handle(lookup, "cudaMemcpy", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        this.getDeviceCount = handle(lookup, "cudaGetDeviceCount",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        this.getErrorString = lookup.find("cudaGetErrorString")
                .map(symbol -> LINKER.downcallHandle(symbol,
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT)))
                .orElse(null);
    }

    private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new IllegalStateException("symbol " + name + " is missing"));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    /** The runtime found for this process (LODE_CUDART, the loader's search path, then /usr/local/cuda*). */
    static Loaded load() {
        return LOADED;
    }

    static Loaded find(String override) {
        List<String> candidates = new ArrayList<>();
        if (override != null && !override.isBlank()) {
            candidates.add(override);
        } else {
            candidates.addAll(List.of("libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"));
            candidates.addAll(cudaToolkitLibraries());
        }
        for (String candidate : candidates) {
            SymbolLookup lookup;
            try {
                // The global arena: libcudart stays loaded for the life of the process, as CUDA expects.
                lookup = SymbolLookup.libraryLookup(candidate, Arena.global());
            } catch (IllegalArgumentException | IllegalCallerException notLoadable) {
                continue;
            }
            CudaRuntime runtime;
            try {
                runtime = new CudaRuntime(candidate, lookup);
            } catch (IllegalStateException missingSymbol) {
                return new Loaded(null, "libcudart at " + candidate + " lacks a symbol: " + missingSymbol.getMessage());
            }
            // A toolkit without a driver or a GPU still loads; only a device makes pinned allocation possible.
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
                int code = runtime.call(runtime.getDeviceCount, count);
                if (code != 0) {
                    return new Loaded(null, "libcudart loaded from " + candidate + " but cudaGetDeviceCount failed: "
                            + runtime.describe(code));
                }
                if (count.get(ValueLayout.JAVA_INT, 0) < 1) {
                    return new Loaded(null, "libcudart loaded from " + candidate + " but there is no CUDA device");
                }
            }
            return new Loaded(runtime, null);
        }
        return new Loaded(null, override != null && !override.isBlank()
                ? "libcudart not loadable from LODE_CUDART=" + override
                : "libcudart not found");
    }

    private static List<String> cudaToolkitLibraries() {
        List<String> paths = new ArrayList<>();
        try (Stream<Path> roots = Files.list(Path.of("/usr/local"))) {
            roots.filter(root -> root.getFileName().toString().startsWith("cuda"))
                    .sorted()
                    .forEach(root -> {
                        for (String name : List.of("libcudart.so", "libcudart.so.13", "libcudart.so.12",
                                "libcudart.so.11.0")) {
                            Path path = root.resolve("lib64").resolve(name);
                            if (Files.exists(path)) {
                                paths.add(path.toString());
                            }
                        }
                    });
        } catch (Exception noToolkit) {
            // No /usr/local or it cannot be listed: nothing more to try.
        }
        return paths;
    }

    String library() {
        return library;
    }

    /** cudaHostAlloc of exactly bytes; the segment is unbounded-scope, bytes long. */
    MemorySegment hostAlloc(long bytes, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(ValueLayout.ADDRESS);
            check("cudaHostAlloc(" + bytes + " bytes)", call(hostAlloc, pointer, bytes, flags));
            return pointer.get(ValueLayout.ADDRESS, 0).reinterpret(bytes);
        }
    }

    void freeHost(MemorySegment segment) {
        check("cudaFreeHost", call(freeHost, MemorySegment.ofAddress(segment.address())));
    }

    MemorySegment deviceAlloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(ValueLayout.ADDRESS);
            check("cudaMalloc(" + bytes + " bytes)", call(malloc, pointer, bytes));
            return pointer.get(ValueLayout.ADDRESS, 0);
        }
    }

    void deviceFree(MemorySegment device) {
        check("cudaFree", call(free, device));
    }

    /** cudaMemcpy by raw addresses (device pointers have no host-side bounds). */
    void memcpy(MemorySegment destination, MemorySegment source, long bytes, int kind) {
        check("cudaMemcpy(" + bytes + " bytes, kind " + kind + ")", call(memcpy,
                MemorySegment.ofAddress(destination.address()), MemorySegment.ofAddress(source.address()),
                bytes, kind));
    }

    private void check(String what, int code) {
        if (code != 0) {
            throw new IllegalStateException(what + " failed: " + describe(code));
        }
    }

    String describe(int code) {
        if (getErrorString == null) {
            return "error " + code;
        }
        try {
            MemorySegment text = (MemorySegment) getErrorString.invokeExact(code);
            return "error " + code + " (" + text.reinterpret(4096).getString(0) + ")";
        } catch (Throwable unexpected) {
            return "error " + code;
        }
    }

    private int call(MethodHandle handle, Object... arguments) {
        try {
            return (int) handle.invokeWithArguments(arguments);
        } catch (Throwable unexpected) {
            throw new IllegalStateException("CUDA downcall failed", unexpected);
        }
    }

    static Optional<CudaRuntime> available() {
        return Optional.ofNullable(LOADED.runtime());
    }
}
