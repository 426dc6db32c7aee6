// Helpers of the tests that start real redis-server processes (sentinel-failover, sharded-actions); no tests here.
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import { createClient } from 'redis';

/** Why the tests must be skipped (the commands not on the PATH), or false when every command runs. */
export function skipWithout(...commands) {
  const missing = commands.filter((command) => {
    const found = spawnSync(command, ['--version'], { encoding: 'utf8' });
    return found.error != null || found.status !== 0;
  });
  return missing.length > 0 ? `${missing.join(' and ')} not on the PATH` : false;
}

/** A free port on loopback (free when asked; the server started on it a moment later takes it). */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One command to the server on port, on a connection of its own; the reply. */
export async function call(port, ...command) {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.sendCommand(command);
  } finally {
    if (client.isOpen) {
      await client.disconnect().catch(() => {});
    }
  }
}

/** Polls check() (a string saying what is missing, or null when done) every 100 ms until done or timeoutMs. */
export async function until(what, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  let missing = 'not checked';
  for (;;) {
    try {
      missing = await check();
    } catch (e) {
      missing = e.message;
    }
    if (missing == null) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms (${missing})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
