package io.seedgate.bench;

import io.vertx.core.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code java -jar bench/target/seed-bench.jar <scenario> [options]}: load generator for the seed gateway. See
 * BENCHMARKS.md for how the figures are taken and what they mean.
 */
@Command(name = "seed-bench", mixinStandardHelpOptions = true, version = "seed-bench 0.1.0",
  description = "Load generator for the seed gateway: round trips against a floor, idle connections, fan-out, soak.",
  subcommands = {RoundTripCommand.class, ConnectionsCommand.class, FanoutCommand.class, SoakCommand.class,
    RedisCostsCommand.class, CapacityCommand.class, ShardSplitCommand.class,
    CommandLine.HelpCommand.class})
public final class BenchMain {

  public static void main(String[] args) {
    int code = new CommandLine(new BenchMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    System.exit(code);
  }

  /** Blocks the calling (non-event-loop) thread for a future's result. */
  static <T> T await(Future<T> future, long timeoutMs) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException("no result within " + timeoutMs + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
