package dev.verdant.store;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * A real HTTP server on loopback that answers S3 requests from a script, for failures no real
 * S3 server here can be made to produce on demand (503 SlowDown, then success). It records the
 * requests it received.
 */
final class ScriptedHttpServer implements AutoCloseable {

    record Answer(int status, Map<String, String> headers, String body) {

        static Answer error(int status, String code) {
            return new Answer(status, Map.of("Content-Type", "application/xml"),
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + code
                            + " from the script</Message><Resource>/bucket/key</Resource><RequestId>1</RequestId></Error>");
        }

        /** A HEAD answer: the headers of an object, no body. */
        static Answer objectHead(long size, String sha256) {
            return new Answer(200, Map.of("Content-Length", Long.toString(size), "ETag", "\"abc\"",
                    "Last-Modified", "Sun, 29 Nov 2026 01:00:00 GMT", "x-amz-meta-sha256", sha256), null);
        }
    }

    private final HttpServer server;
    private final Deque<Answer> script;
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    ScriptedHttpServer(Answer... answers) throws IOException {
        this.script = new ArrayDeque<>(List.of(answers));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> requests() {
        return List.copyOf(requests);
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
        exchange.getRequestBody().readAllBytes();
        Answer answer;
        synchronized (script) {
            answer = script.size() > 1 ? script.removeFirst() : script.getFirst(); // the last answer repeats
        }
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        boolean head = exchange.getRequestMethod().equals("HEAD");
        byte[] body = answer.body() == null || head ? new byte[0] : answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
