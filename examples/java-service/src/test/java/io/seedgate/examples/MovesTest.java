package io.seedgate.examples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MovesTest {

  @Test
  void stepsInEachDirection() {
    Position p = new Position(1.5, 2.0);
    assertEquals(new Position(1.5, 2.5), Moves.step(p, Moves.Direction.UP, 0.5));
    assertEquals(new Position(1.5, 1.5), Moves.step(p, Moves.Direction.DOWN, 0.5));
    assertEquals(new Position(1.0, 2.0), Moves.step(p, Moves.Direction.LEFT, 0.5));
    assertEquals(new Position(2.0, 2.0), Moves.step(p, Moves.Direction.RIGHT, 0.5));
  }

  @Test
  void clampsToTheGeoRange() {
    assertEquals(new Position(180, 85), Moves.step(new Position(179.9, 85), Moves.Direction.RIGHT, 0.5));
    assertEquals(new Position(180, 85), Moves.step(new Position(180, 84.8), Moves.Direction.UP, 0.5));
    assertEquals(new Position(-180, -85), Moves.step(new Position(-180, -84.9), Moves.Direction.DOWN, 0.5));
    assertEquals(new Position(-180, -85), Moves.step(new Position(-179.9, -85), Moves.Direction.LEFT, 0.5));
  }

  @Test
  void roundsToTwoDecimalsWithoutNegativeZero() {
    assertEquals(1.5, Moves.round2(1.50000005960464478));
    assertEquals(0.55, Moves.round2(0.5499999821186066));
    assertEquals(0.0, Moves.round2(-0.001));
    assertEquals("0.0", Double.toString(Moves.round2(-0.001)));
    assertEquals(new Position(0.1, 0.0), Moves.step(new Position(-0.2, 0), Moves.Direction.RIGHT, 0.3));
  }

  @Test
  void knowsTheFourMethods() {
    assertEquals("move_up", Moves.Direction.of("up").orElseThrow().actionName());
    assertEquals("move_left", Moves.Direction.of("left").orElseThrow().actionName());
    assertTrue(Moves.Direction.of("jump").isEmpty());
    assertTrue(Moves.Direction.of("UP").isEmpty());
  }
}
