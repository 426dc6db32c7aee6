// Unit tests of where the service's connections go past one Redis (no Redis needed).
import test from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { askSentinels, backoff, clusterEndpoints, masterUrl } from '../lib/redis.js';

test('on a cluster a connection stays on its node until that one fails, then takes the next', async () => {
  const nodes = clusterEndpoints(['redis://a:1', 'redis://b:2', 'redis://c:3']);
  assert.equal(await nodes.locate(), 'redis://a:1');
  assert.equal(await nodes.locate(), 'redis://a:1', 'the same node again');
  nodes.failed('redis://c:3');
  assert.equal(await nodes.locate(), 'redis://a:1', 'another node failing does not move it');
  nodes.failed('redis://a:1');
  assert.equal(await nodes.locate(), 'redis://b:2');
  nodes.failed('redis://b:2');
  nodes.failed('redis://c:3');
  assert.equal(await nodes.locate(), 'redis://a:1', 'round and round');
});

test("the master's URL is the Sentinel's with the master's address", () => {
  assert.equal(masterUrl('redis://127.0.0.1:26379', '10.0.0.5', '6380'), 'redis://10.0.0.5:6380');
  assert.equal(masterUrl('redis://u:secret@s:26379/2', '10.0.0.5', '6380'), 'redis://u:secret@10.0.0.5:6380/2');
  assert.equal(masterUrl('redis://s:26379', '::1', '6380'), 'redis://[::1]:6380');
});

test('reconnections back off 100 ms, 200 ms, ... up to 5 s', () => {
  assert.deepEqual([0, 1, 2, 5, 6, 20].map(backoff), [100, 200, 400, 3_200, 5_000, 5_000]);
});

/**
 * A fake Sentinel on a free port: answers SENTINEL with `reply` (RESP) and anything else (the client's own CLIENT
 * SETINFO) with +OK; or, with no reply, closes every connection at once.
 */
async function fakeSentinel(reply) {
  const server = net.createServer((socket) => {
    if (reply == null) {
      socket.destroy();
      return;
    }
    socket.on('data', (chunk) => {
      // each command is an array of bulk strings: *<n>, then $<len> and the argument, n times
      const lines = chunk.toString().split('\r\n');
      for (let i = 0; i < lines.length; i++) {
        if (lines[i].startsWith('*')) {
          socket.write(lines[i + 2]?.toUpperCase() === 'SENTINEL' ? reply : '+OK\r\n');
          i += 2 * Number(lines[i].substring(1));
        }
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `redis://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

test('the first Sentinel that knows the master names it; none: an error naming each', async () => {
  const broken = await fakeSentinel(null);
  const unknowing = await fakeSentinel('*-1\r\n');
  const knowing = await fakeSentinel('*2\r\n$9\r\n127.0.0.9\r\n$4\r\n6390\r\n');
  try {
    assert.equal(await askSentinels([broken.url, unknowing.url, knowing.url], 'game'), 'redis://127.0.0.9:6390');
    await assert.rejects(askSentinels([broken.url, unknowing.url], 'game'), (e) => {
      assert.match(e.message, /no Sentinel named the master 'game'/);
      assert.match(e.message, new RegExp(`${unknowing.url}: no master named 'game'`));
      assert.ok(e.message.includes(broken.url), e.message);
      return true;
    });
  } finally {
    broken.close();
    unknowing.close();
    knowing.close();
  }
});
