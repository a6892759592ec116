package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Exact-path routes, each with the methods it accepts. Built once by the agent, read by the event loop. */
public final class Router {
    /** An endpoint and the methods it answers; HEAD is implied by GET. */
    public record Route(String path, Set<HttpMethod> methods, Endpoint endpoint) {
        public Route {
            requireNonNull(path, "path");
            methods = Set.copyOf(methods);
            requireNonNull(endpoint, "endpoint");
        }

        boolean accepts(HttpMethod method) {
            return methods.contains(method) || (method.equals(HttpMethod.HEAD) && methods.contains(HttpMethod.GET));
        }

        /** The value of an {@code Allow} header. */
        String allow() {
            Set<String> names = methods.stream().map(HttpMethod::name).collect(Collectors.toCollection(
                    java.util.TreeSet::new));
            if (names.contains("GET")) {
                names.add("HEAD");
            }
            return String.join(", ", names);
        }
    }

    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final Map<String, Route> prefixes = new LinkedHashMap<>();

    public Router get(String path, Endpoint endpoint) {
        return add(new Route(path, Set.of(HttpMethod.GET), endpoint));
    }

    public Router add(Route route) {
        if (routes.putIfAbsent(route.path(), route) != null) {
            throw new IllegalArgumentException("two routes for " + route.path());
        }
        return this;
    }

    /** A route for every path under {@code prefix} (ending in '/'), such as {@code /api/v1/rules/NAME/rearm}. */
    public Router under(String prefix, Set<HttpMethod> methods, Endpoint endpoint) {
        prefixes.put(prefix, new Route(prefix, methods, endpoint));
        return this;
    }

    Optional<Route> route(String path) {
        Route exact = routes.get(path);
        if (exact != null) {
            return Optional.of(exact);
        }
        return prefixes.entrySet().stream().filter(e -> path.startsWith(e.getKey()) && path.length() > e.getKey().length())
                .map(Map.Entry::getValue).findFirst();
    }
}
