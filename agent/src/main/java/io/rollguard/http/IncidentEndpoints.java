package io.rollguard.http;

import static io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE;
import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.rollguard.journal.IncidentFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code GET /api/v1/incidents} (the list, newest first) and {@code GET /api/v1/incidents/ID} (the record as JSON,
 * or as Markdown with {@code Accept: text/markdown} or {@code ?format=md}). The records are files in the state
 * directory, read on {@code reads}, never on the event loop.
 */
public final class IncidentEndpoints {
    static final String PREFIX = "/api/v1/incidents/";
    static final String MARKDOWN_TYPE = "text/markdown; charset=utf-8";

    private final IncidentFiles files;
    private final Executor reads;

    /** @param reads a small bounded pool: a request it rejects answers 503 */
    public IncidentEndpoints(IncidentFiles files, Executor reads) {
        this.files = requireNonNull(files, "files");
        this.reads = requireNonNull(reads, "reads");
    }

    public Router routes(Router router) {
        return router.get("/api/v1/incidents", new ListAll()).under(PREFIX, Set.of(HttpMethod.GET), new Show());
    }

    /** What the answer needs of a request, taken on the event loop: the request is released once handled. */
    private record Asked(String id, boolean markdown) {}

    private final class ListAll implements Endpoint {
        @Override
        public FullHttpResponse handle(FullHttpRequest request) {
            throw new UnsupportedOperationException("answered by handleAsync");
        }

        @Override
        public CompletableFuture<FullHttpResponse> handleAsync(FullHttpRequest request, InetSocketAddress remote) {
            return read(() -> Responses.json(OK, Map.of("incidents", files.list())));
        }
    }

    private final class Show implements Endpoint {
        @Override
        public FullHttpResponse handle(FullHttpRequest request) {
            throw new UnsupportedOperationException("answered by handleAsync");
        }

        @Override
        public CompletableFuture<FullHttpResponse> handleAsync(FullHttpRequest request, InetSocketAddress remote) {
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            String id = query.path().substring(PREFIX.length());
            List<String> format = query.parameters().get("format");
            String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
            Asked asked = new Asked(id, format != null && format.contains("md")
                    || accept.toLowerCase(java.util.Locale.ROOT).contains("text/markdown"));
            if (!IncidentFiles.isId(asked.id())) {
                return CompletableFuture.completedFuture(Responses.error(NOT_FOUND, "no incident " + id));
            }
            return read(() -> {
                if (asked.markdown()) {
                    Optional<String> markdown = files.readMarkdown(asked.id());
                    return markdown.isEmpty() ? Responses.error(NOT_FOUND, "no incident " + asked.id())
                            : Responses.bytes(OK, markdown.get().getBytes(StandardCharsets.UTF_8), MARKDOWN_TYPE);
                }
                Optional<Map<String, Object>> incident = files.read(asked.id());
                return incident.isEmpty() ? Responses.error(NOT_FOUND, "no incident " + asked.id())
                        : Responses.json(OK, incident.get());
            });
        }
    }

    private interface Read {
        FullHttpResponse answer() throws IOException;
    }

    private CompletableFuture<FullHttpResponse> read(Read read) {
        CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
        try {
            reads.execute(() -> {
                try {
                    answer.complete(read.answer());
                } catch (IOException e) {
                    answer.complete(Responses.error(INTERNAL_SERVER_ERROR, e.getMessage()));
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            answer.complete(Responses.error(SERVICE_UNAVAILABLE, "too many incident requests at once; try again"));
        }
        return answer;
    }
}
