// Unit tests of where the service's connections go past one Redis (no Redis needed).
import test from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import {
  askSentinels, backoff, clusterEndpoints, clusterSlots, FollowingConnection, hashSlot, masterUrl, planByMaster,
  sentinelEndpoint,
} from '../lib/redis.js';
import { actionChannels } from '../lib/game.js';

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
 * A fake Redis on a free port: answers each command named in `replies` with its reply (RESP) and anything else (the
 * client's own CLIENT SETINFO) with +OK; or, with no replies, closes every connection at once. Counts connections.
 */
async function fakeServer(replies) {
  const server = net.createServer((socket) => {
    fake.connections++;
    if (replies == null) {
      socket.destroy();
      return;
    }
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      // each command is an array of bulk strings: *<n>, then $<len> and the argument, n times
      const lines = chunk.toString().split('\r\n');
      for (let i = 0; i < lines.length; i++) {
        if (lines[i].startsWith('*')) {
          socket.write(replies[lines[i + 2]?.toUpperCase()] ?? '+OK\r\n');
          i += 2 * Number(lines[i].substring(1));
        }
      }
    });
  });
  const fake = { connections: 0, close: () => server.close() };
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `redis://127.0.0.1:${server.address().port}`;
  return fake;
}

/** A fake Sentinel: answers SENTINEL with `reply`; with none, closes every connection at once. */
const fakeSentinel = (reply) => fakeServer(reply == null ? null : { SENTINEL: reply });

const ROLE_MASTER = '*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n';
const ROLE_REPLICA = '*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:6379\r\n$9\r\nconnected\r\n:0\r\n';
/** A fake Sentinel naming the fake server at `url` as the master. */
const namingSentinel = (url) => {
  const { hostname, port } = new URL(url);
  return fakeSentinel(`*2\r\n$${hostname.length}\r\n${hostname}\r\n$${port.length}\r\n${port}\r\n`);
};

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

test('behind Sentinel a connection goes to the master announced if it answers as a master, else where asked',
  async () => {
    const named = await fakeServer({ ROLE: ROLE_MASTER });
    const sentinel = await namingSentinel(named.url);
    const announced = await fakeServer({ ROLE: ROLE_MASTER });
    const demoted = await fakeServer({ ROLE: ROLE_REPLICA });
    const endpoint = sentinelEndpoint([sentinel.url], 'game');
    const connections = [];
    const connect = async () => {
      const c = new FollowingConnection('test', endpoint);
      connections.push(c);
      await c.start();
      return c.url;
    };
    try {
      assert.equal(await connect(), named.url, 'none announced: where the Sentinels say');
      endpoint.announced = announced.url;
      assert.equal(await connect(), announced.url);
      endpoint.announced = demoted.url;
      assert.equal(await connect(), named.url, 'the one announced is no master (any more)');
      assert.equal(demoted.connections, 1, 'it was tried');
      endpoint.announced = 'redis://127.0.0.1:1';
      assert.equal(await connect(), named.url, 'the one announced cannot be reached');
    } finally {
      await Promise.allSettled(connections.map((c) => c.close()));
      [named, sentinel, announced, demoted].forEach((s) => s.close());
    }
  });

test('behind Sentinel a switch announced moves the connections there at once, but not one already there',
  async () => {
    const old = await fakeServer({ ROLE: ROLE_MASTER });
    const sentinel = await namingSentinel(old.url);
    const next = await fakeServer({ ROLE: ROLE_MASTER });
    const endpoint = sentinelEndpoint([sentinel.url], 'game');
    const setups = [];
    const subscriber = new FollowingConnection('subscriber', endpoint, async () => setups.push('subscriber'));
    const commands = new FollowingConnection('commands', endpoint);
    try {
      await subscriber.start();
      await commands.start();
      assert.deepEqual([subscriber.url, commands.url], [old.url, old.url]);
      endpoint.announce(next.url);
      assert.equal(subscriber.client, null, 'the old connection is left at once');
      const deadline = Date.now() + 2_000;
      while ((subscriber.url !== next.url || commands.url !== next.url || subscriber.client == null)
        && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.deepEqual([subscriber.url, commands.url], [next.url, next.url]);
      assert.deepEqual(setups, ['subscriber', 'subscriber'], 'set up again on the new one');
      const before = next.connections;
      endpoint.announce(next.url); // another Sentinel's announcement of it, had it not been deduplicated
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(next.connections, before, 'already there: not made again');
      assert.notEqual(subscriber.client, null);
    } finally {
      await Promise.allSettled([subscriber.close(), commands.close()]);
      [old, sentinel, next].forEach((s) => s.close());
    }
  });

test('hash slots are those of CLUSTER KEYSLOT (CRC16 mod 16384, of the {hash tag} when there is one)', () => {
  // what redis-server 7.0's CLUSTER KEYSLOT answered for each
  const expected = {
    'foo': 12182, 'bar': 5061, 'hello': 866, '123456789': 12739, '{user1000}.following': 3443, 'a{}b': 13694,
    '{}x{y}': 2166, 'x{y}{z}': 12222, 'ü': 9552, '{': 4092, 'a{b': 13340, 'action:api:0': 15076,
    'action:move:7': 3472,
  };
  for (const [key, slot] of Object.entries(expected)) {
    assert.equal(hashSlot(key), slot, key);
  }
});

/** A CLUSTER SLOTS reply as node-redis returns it: three masters (the third's endpoint unknown), one replica. */
const SLOTS_REPLY = [
  [0, 5460, ['10.0.0.1', 7000, 'id1'], ['10.0.0.4', 7003, 'id4']],
  [5461, 10922, ['10.0.0.2', 7001, 'id2']],
  [10923, 16383, ['?', 7002, 'id3']],
];

test("each channel is planned on the master of its slot, with the seed's credentials", () => {
  const channels = actionChannels('action:', 8);
  const plan = planByMaster(SLOTS_REPLY, channels, 'redis://10.0.0.9:7009', 'redis://u:secret@10.0.0.1:7000');
  assert.deepEqual([...plan.keys()].sort(),
    ['redis://u:secret@10.0.0.1:7000', 'redis://u:secret@10.0.0.2:7001', 'redis://u:secret@10.0.0.9:7002'],
    'the third at the host asked');
  assert.deepEqual([...plan.values()].flat().sort(), [...channels].sort(), 'each channel once');
  for (const [url, list] of plan) {
    const { port } = new URL(url);
    const [from, to] = SLOTS_REPLY.find((range) => String(range[2][1]) === port);
    for (const channel of list) {
      assert.ok(hashSlot(channel) >= from && hashSlot(channel) <= to, `${channel} on ${url}`);
    }
  }
  for (const list of plan.values()) {
    assert.deepEqual(list, channels.filter((c) => list.includes(c)), 'in their order');
  }
  assert.throws(() => planByMaster(SLOTS_REPLY.slice(1), ['foo', 'hello'], 'redis://h:1'),
    /no master serves slot 866 \(of channel hello\)/);
  assert.deepEqual([...planByMaster([[0, 16383, ['::1', 7000]]], ['x'], 'redis://h:1').keys()],
    ['redis://[::1]:7000']);
});

test('with no cluster node answering, CLUSTER SLOTS rejects naming each', async () => {
  await assert.rejects(clusterSlots(['redis://127.0.0.1:1', 'redis://127.0.0.1:2']), (e) => {
    assert.match(e.message, /no cluster node answered CLUSTER SLOTS/);
    assert.ok(e.message.includes('redis://127.0.0.1:1:') && e.message.includes('redis://127.0.0.1:2:'), e.message);
    return true;
  });
});
