package io.seedgate.common;

/**
 * A failure the node expects and explains in its message (a refused request, a bad config value): {@link Failures}
 * logs its message without a stack trace. A marker, so that packages below {@code io.seedgate.common} (config) can
 * declare theirs without the root package depending on them.
 */
public interface ExpectedFailure {
}
