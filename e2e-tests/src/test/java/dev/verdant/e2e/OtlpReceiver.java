package dev.verdant.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OTLP/HTTP trace receiver in the test JVM, what Jaeger's port 4318 does: POST /v1/traces with an
 * ExportTraceServiceRequest in protobuf, answered with an empty ExportTraceServiceResponse. It keeps
 * every span it was sent, flattened with its resource's service.name.
 */
final class OtlpReceiver implements AutoCloseable {
    /** One received span: ids in lower-case hex, as Jaeger shows them. */
    record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
            Map<String, String> attributes) {
        String attribute(String key) {
            return attributes.get(key);
        }

        @Override
        public String toString() {
            return service + " \"" + name + "\" trace " + traceId + " span " + spanId + " parent "
                    + (parentSpanId.isEmpty() ? "-" : parentSpanId) + " " + attributes;
        }
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger badRequests = new AtomicInteger();
    private final List<String> misses = new CopyOnWriteArrayList<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", this::handle);
        // Anything else is counted as a bad request: an exporter posting elsewhere shows up as such.
        server.createContext("/", exchange -> {
            try (exchange) {
                requests.incrementAndGet();
                badRequests.incrementAndGet();
                misses.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
                exchange.sendResponseHeaders(404, -1);
            }
        });
        server.start();
    }

    /** What a service's OTLP exporter is pointed at (it adds /v1/traces for http/protobuf). */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    int requests() {
        return requests.get();
    }

    int badRequests() {
        return badRequests.get();
    }

    /** Requests to another path than /v1/traces: method and path. */
    List<String> misses() {
        return List.copyOf(misses);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            if (!"POST".equals(exchange.getRequestMethod())) {
                badRequests.incrementAndGet();
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            ExportTraceServiceRequest request;
            try (InputStream in = exchange.getRequestBody()) {
                request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
            } catch (IOException | RuntimeException e) {
                badRequests.incrementAndGet();
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            spans.addAll(flatten(request));
            byte[] body = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    static List<ReceivedSpan> flatten(ExportTraceServiceRequest request) {
        HexFormat hex = HexFormat.of();
        List<ReceivedSpan> flat = new ArrayList<>();
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            String service = attributes(resourceSpans.getResource()).getOrDefault("service.name", "?");
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (io.opentelemetry.proto.trace.v1.Span span : scopeSpans.getSpansList()) {
                    flat.add(new ReceivedSpan(service, hex.formatHex(span.getTraceId().toByteArray()),
                            hex.formatHex(span.getSpanId().toByteArray()),
                            hex.formatHex(span.getParentSpanId().toByteArray()), span.getName(),
                            attributes(span.getAttributesList())));
                }
            }
        }
        return flat;
    }

    private static Map<String, String> attributes(Resource resource) {
        return attributes(resource.getAttributesList());
    }

    private static Map<String, String> attributes(List<KeyValue> keyValues) {
        Map<String, String> map = new TreeMap<>();
        for (KeyValue kv : keyValues) {
            AnyValue v = kv.getValue();
            String value = switch (v.getValueCase()) {
                case STRING_VALUE -> v.getStringValue();
                case INT_VALUE -> Long.toString(v.getIntValue());
                case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
                case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                default -> v.toString();
            };
            map.put(kv.getKey(), value);
        }
        return map;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
