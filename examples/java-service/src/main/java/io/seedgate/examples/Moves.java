package io.seedgate.examples;

import java.util.Locale;
import java.util.Optional;

/** The 2021 game's movement: one step per action, kept inside the range Redis GEO accepts. */
public final class Moves {

  public static final double DEFAULT_STEP = 0.5;
  /** Largest |x| (longitude) a position may have. */
  public static final double MAX_X = 180;
  /** Largest |y| (latitude) a position may have; Redis GEO refuses more than 85.05112878. */
  public static final double MAX_Y = 85;

  /** The four directions of {@code move/<method>}. */
  public enum Direction {
    UP(0, 1), DOWN(0, -1), LEFT(-1, 0), RIGHT(1, 0);

    private final int dx;
    private final int dy;

    Direction(int dx, int dy) {
      this.dx = dx;
      this.dy = dy;
    }

    /** The direction a {@code move} method names ({@code up}, {@code down}, {@code left}, {@code right}). */
    public static Optional<Direction> of(String method) {
      return switch (method) {
        case "up" -> Optional.of(UP);
        case "down" -> Optional.of(DOWN);
        case "left" -> Optional.of(LEFT);
        case "right" -> Optional.of(RIGHT);
        default -> Optional.empty();
      };
    }

    /** The player action shown to clients, e.g. {@code move_up}. */
    public String actionName() {
      return "move_" + name().toLowerCase(Locale.ROOT);
    }
  }

  private Moves() {
  }

  /** {@code from} moved one {@code step} towards {@code direction}, clamped to the GEO range, to 2 decimals. */
  public static Position step(Position from, Direction direction, double step) {
    return normalize(new Position(from.x() + direction.dx * step, from.y() + direction.dy * step));
  }

  /** The position clamped to |x| <= {@value #MAX_X}, |y| <= {@value #MAX_Y} and rounded to 2 decimals. */
  public static Position normalize(Position p) {
    return new Position(round2(clamp(p.x(), MAX_X)), round2(clamp(p.y(), MAX_Y)));
  }

  /** Rounded half up to 2 decimals; never -0.0. */
  public static double round2(double v) {
    double r = Math.round(v * 100) / 100.0;
    return r == 0 ? 0.0 : r;
  }

  private static double clamp(double v, double max) {
    return Math.max(-max, Math.min(max, v));
  }
}
