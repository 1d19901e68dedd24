package dev.lode.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A small HTTP/1.1 proxy between the SDK and s3proxy that can fail requests on purpose. One request per client
 * connection (it answers {@code Connection: close}), which the SDK's pooled client handles by reconnecting.
 *
 * <p>It also runs writes (PUT, POST, DELETE) one at a time: s3proxy checks {@code If-Match} and then writes, without
 * holding a lock between, so two racing writers can both win. Real S3 is atomic here; serialising writes gives the
 * tests the same guarantee.
 */
public final class FaultInjectingProxy implements AutoCloseable {
    public enum Fault {
        /** Answer 500 InternalError without forwarding. */
        INTERNAL_ERROR,
        /** Answer 503 SlowDown without forwarding. */
        SLOW_DOWN,
        /** Answer 403 AccessDenied without forwarding. */
        ACCESS_DENIED,
        /** Reset the connection without forwarding. */
        RESET,
        /** Forward, then send the response head and only half of the body, then reset. */
        TRUNCATE_BODY,
        /** Forward (so a write lands), then reset the connection instead of answering. */
        DROP_RESPONSE,
        /** Forward, then answer with one byte of the body changed (a range or object damaged on the way). */
        CORRUPT_BODY
    }

    /** A fault for the next {@code remaining} requests whose method matches and whose path contains the text. */
    private static final class Rule {
        final String method;
        final String pathContains;
        final Fault fault;
        int remaining;

        Rule(String method, String pathContains, Fault fault, int remaining) {
            this.method = method;
            this.pathContains = pathContains;
            this.fault = fault;
            this.remaining = remaining;
        }
    }

    record Seen(String method, String path) {
    }

    private final ServerSocket server;
    private final URI upstream;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fault-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writes = new ReentrantLock(true);
    private volatile Runnable afterDrop = () -> { };
    private volatile long delayMillis;
    private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();

    FaultInjectingProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Fails the next {@code times} requests with this method whose path contains {@code pathContains}. */
    public void inject(String method, String pathContains, Fault fault, int times) {
        rules.add(new Rule(method, pathContains, fault, times));
    }

    /** Runs {@code action} once a {@link Fault#DROP_RESPONSE} has dropped an answer (before the client notices). */
    void afterDrop(Runnable action) {
        afterDrop = action;
    }

    public void clear() {
        rules.clear();
        seen.clear();
        afterDrop = () -> { };
        delayMillis = 0;
    }

    /** Holds every request this long before forwarding it, so that a transfer can be killed midway. */
    void delayEachRequest(long millis) {
        delayMillis = millis;
    }

    /** How many requests with this method and a path containing the text arrived (faulted ones included). */
    long count(String method, String pathContains) {
        return seen.stream().filter(s -> s.method.equals(method) && s.path.contains(pathContains)).count();
    }

    private synchronized Fault take(String method, String path) {
        for (Rule rule : rules) {
            if (rule.remaining > 0 && rule.method.equals(method) && path.contains(rule.pathContains)) {
                rule.remaining--;
                return rule.fault;
            }
        }
        return null;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.submit(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Waits until no request is being handled (a killed client's requests may still be forwarded). */
    void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (active.get() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(active.get() + " requests still in the proxy after 60 s");
            }
            Thread.sleep(5);
        }
    }

    private void serve(Socket client) {
        active.incrementAndGet();
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            String method = requestLine[0];
            String path = requestLine[1];
            long length = 0;
            boolean expectContinue = false;
            StringBuilder forwarded = new StringBuilder(lines[0]).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                String name = lines[i].substring(0, lines[i].indexOf(':')).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(lines[i].indexOf(':') + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding")) {
                    throw new IOException("chunked request bodies are not supported by this test proxy");
                } else if (name.equals("expect") && value.equalsIgnoreCase("100-continue")) {
                    expectContinue = true;
                }
                if (!name.equals("connection")) {
                    forwarded.append(lines[i]).append("\r\n");
                }
            }
            forwarded.append("Connection: close\r\n\r\n");
            if (expectContinue) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            byte[] body = in.readNBytes((int) length);
            seen.add(new Seen(method, path));
            Fault fault = take(method, path);
            if (fault == Fault.RESET) {
                reset(client);
                return;
            }
            if (fault == Fault.INTERNAL_ERROR || fault == Fault.SLOW_DOWN || fault == Fault.ACCESS_DENIED) {
                answerError(out, fault, method);
                return;
            }
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            boolean write = !method.equals("GET") && !method.equals("HEAD");
            if (write) {
                writes.lock();
            }
            byte[] response;
            try {
                response = forward(forwarded.toString(), body);
            } finally {
                if (write) {
                    writes.unlock();
                }
            }
            if (fault == Fault.DROP_RESPONSE) {
                afterDrop.run();
                reset(client);
                return;
            }
            if (fault == Fault.TRUNCATE_BODY) {
                int headEnd = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) + 4;
                out.write(response, 0, headEnd + (response.length - headEnd) / 2);
                out.flush();
                reset(client);
                return;
            }
            if (fault == Fault.CORRUPT_BODY) {
                int headEnd = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) + 4;
                if (headEnd < response.length) {
                    response[headEnd + (response.length - headEnd) / 2] ^= 0x5a;
                }
            }
            out.write(response);
            out.flush();
        } catch (IOException e) {
            // The client went away or was reset on purpose.
        } finally {
            active.decrementAndGet();
        }
    }

    /** Sends the request to s3proxy and returns its whole response, interim 100 Continue removed. */
    private byte[] forward(String head, byte[] body) throws IOException {
        try (Socket socket = new Socket(upstream.getHost(), upstream.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            byte[] response = socket.getInputStream().readAllBytes();
            byte[] interim = "HTTP/1.1 100".getBytes(StandardCharsets.US_ASCII);
            while (startsWith(response, interim)) {
                int end = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) + 4;
                response = java.util.Arrays.copyOfRange(response, end, response.length);
            }
            return response;
        }
    }

    private static void answerError(OutputStream out, Fault fault, String method) throws IOException {
        String status = switch (fault) {
            case INTERNAL_ERROR -> "500 Internal Server Error";
            case SLOW_DOWN -> "503 Slow Down";
            default -> "403 Forbidden";
        };
        String code = switch (fault) {
            case INTERNAL_ERROR -> "InternalError";
            case SLOW_DOWN -> "SlowDown";
            default -> "AccessDenied";
        };
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>injected "
                + code + "</Message><RequestId>fault</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + (method.equals("HEAD") ? 0 : xml.length) + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        if (!method.equals("HEAD")) {
            out.write(xml);
        }
        out.flush();
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                String text = head.toString(StandardCharsets.US_ASCII);
                return text.substring(0, text.length() - 4);
            }
        }
        return null;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length
                && java.util.Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static int indexOf(byte[] bytes, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= bytes.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }

    List<Seen> seen() {
        return new ArrayList<>(seen);
    }
}
