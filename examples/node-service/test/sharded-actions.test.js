// Sharded action channels (ACTION_CHANNELS, the gateway's routing.actionChannels) against real processes on loopback:
// a Redis Cluster of three masters and a single redis-server this test starts, and the service itself
// (`node index.js`), all killed at the end; skipped where redis-server or redis-cli is not on the PATH.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { call, freePort, skipWithout, until } from './support/redis-processes.js';

const SERVICE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const skip = skipWithout('redis-server', 'redis-cli');

/**
 * The processes a test starts (redis-server, redis-cli, the service), all killed (SIGKILL, those still running) and
 * the temporary directory removed when the test ends.
 */
function processes(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-node-sharded-'));
  const children = [];
  const closers = [];
  t.after(async () => {
    await Promise.allSettled(closers.reverse().map((close) => close()));
    await Promise.all(children.map((child) => new Promise((resolve) => {
      if (child.exitCode != null || child.signalCode != null) {
        resolve();
        return;
      }
      child.once('exit', resolve);
      child.kill('SIGKILL');
    })));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const spawned = (name, command, args, options = {}) => {
    const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    child.output = '';
    child.stdout.on('data', (d) => {
      child.output += d;
    });
    child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
    child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    children.push(child);
    return child;
  };
  return {
    dir,
    closers,
    /** A redis-server on a free port (more(port): more arguments); resolves with the port once it answers PING. */
    async redis(more = () => []) {
      const port = await freePort();
      spawned(`redis ${port}`, 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
        '--appendonly', 'no', '--dir', dir, ...more(port)]);
      await until(`redis-server on ${port} up`, 10_000, async () => ((await call(port, 'PING')) === 'PONG'
        ? null : 'no PONG'));
      return port;
    },
    /** Runs a command to its end; its exit code and output. */
    async run(name, command, args) {
      const child = spawned(name, command, args);
      const code = await child.exited;
      return { code, output: child.output };
    },
    /** `node index.js` with env added to this process's; resolves once it logged that it runs. */
    async service(env) {
      const child = spawned('service', process.execPath, ['index.js'],
        { cwd: SERVICE_DIR, env: { ...process.env, LOG_LEVEL: '', ...env } });
      await until('the service running', 20_000, () => {
        if (child.exitCode != null) {
          throw new Error(`the service exited (${child.exitCode}): ${child.output}`);
        }
        return child.output.includes('running; stop with Ctrl-C') ? null : 'not yet';
      });
      return child;
    },
  };
}

/** A valid action envelope (lib/game.js parseEnvelope) of player 5 on map 7. */
const envelope = (token, action) => JSON.stringify({
  player: '5', map: '7', token, model: action.split('/')[0], method: action.split('/')[1], action, data: {},
});

/** A connection subscribed (classic Pub/Sub) to token:* and map:7; what it heard, by channel. */
async function listen(port, closers) {
  const heard = new Map();
  const client = createClient({ url: `redis://127.0.0.1:${port}` });
  client.on('error', () => {});
  closers.push(() => client.disconnect().catch(() => {}));
  await client.connect();
  const add = (message, channel) => heard.set(channel, [...(heard.get(channel) ?? []), JSON.parse(message)]);
  await client.pSubscribe('token:*', add);
  await client.subscribe('map:7', add);
  return heard;
}

/** SIGTERM to the service: it finishes and exits 0. */
async function stop(service) {
  service.kill('SIGTERM');
  assert.equal(await service.exited, 0, `the service's exit: ${service.output}`);
  assert.match(service.output, /example game service stopped \[processed: \d+, failed: 0\]/);
}

test('on a Redis Cluster each sharded action channel is SSUBSCRIBEd on its own master, followed when its slot moves, '
  + 'the connection is lost or its master fails over', { skip, timeout: 120_000 }, async (t) => {
  const p = processes(t);
  const ports = [];
  for (let i = 0; i < 3; i++) {
    ports.push(await p.redis((port) => ['--cluster-enabled', 'yes',
      '--cluster-config-file', path.join(p.dir, `nodes-${port}.conf`)]));
  }
  const created = await p.run('redis-cli', 'redis-cli', ['--cluster', 'create',
    ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-yes']);
  assert.equal(created.code, 0, created.output);
  await until('cluster_state:ok on every node', 30_000, async () => {
    for (const port of ports) {
      const info = String(await call(port, 'CLUSTER', 'INFO'));
      if (!info.includes('cluster_state:ok')) {
        return `${port}: ${/cluster_state:\w+/.exec(info)?.[0]}`;
      }
    }
    return null;
  });

  const channels = ['api', 'move'].flatMap((model) => Array.from({ length: 8 }, (_, n) => `action:${model}:${n}`));
  const service = await p.service({
    REDIS_CLUSTER: ports.map((port) => `redis://127.0.0.1:${port}`).join(','), ACTION_CHANNELS: '8',
  });
  const onMaster = String.raw`\d+ on 127\.0\.0\.1:\d+`;
  assert.match(service.output, new RegExp(String.raw`subscribed to 16 sharded action channels `
    + String.raw`\(action:api:0\.\.7, action:move:0\.\.7\) on their masters `
    + String.raw`\(${onMaster}, ${onMaster}, ${onMaster}\)`));

  /** port -> node id, and each channel's master's port, as the cluster says now (CLUSTER SLOTS, CLUSTER KEYSLOT). */
  const layout = async () => {
    const slots = await call(ports[0], 'CLUSTER', 'SLOTS');
    const masterOf = async (channel) => {
      const slot = await call(ports[0], 'CLUSTER', 'KEYSLOT', channel);
      return Number(slots.find(([from, to]) => from <= slot && slot <= to)[2][1]);
    };
    const owner = new Map();
    for (const channel of channels) {
      owner.set(channel, await masterOf(channel));
    }
    const ids = new Map(slots.map((range) => [Number(range[2][1]), String(range[2][2])]));
    return { owner, ids };
  };
  /** Every channel subscribed once on its master (PUBSUB SHARDNUMSUB) and on no other node (PUBSUB SHARDCHANNELS). */
  const subscribedOnOwners = (owner) => async () => {
    for (const port of ports) {
      const own = channels.filter((channel) => owner.get(channel) === port).sort();
      const there = (await call(port, 'PUBSUB', 'SHARDCHANNELS')).map(String).sort();
      if (there.join() !== own.join()) {
        return `on ${port}: ${there.join()} instead of ${own.join()}`;
      }
      if (own.length > 0) {
        const counts = await call(port, 'PUBSUB', 'SHARDNUMSUB', ...own);
        for (let i = 0; i < counts.length; i += 2) {
          if (Number(counts[i + 1]) !== 1) {
            return `${counts[i]} has ${counts[i + 1]} subscribers on ${port}`;
          }
        }
      }
    }
    return null;
  };
  const heard = await listen(ports[0], p.closers);
  /** SPUBLISHes an api/save on each channel (on its master: one subscriber there) and waits for each reply. */
  const savedOnEach = async (owner, round) => {
    for (const channel of channels) {
      const receivers = await call(owner.get(channel), 'SPUBLISH', channel, envelope(`T-${round}-${channel}`,
        'api/save'));
      assert.equal(Number(receivers), 1, `SPUBLISH ${channel} on ${owner.get(channel)}`);
    }
    await until(`a save answered for each channel (${round})`, 10_000, () => {
      const unanswered = channels.filter((channel) => !heard.has(`token:T-${round}-${channel}`));
      return unanswered.length === 0 ? null : `none yet for ${unanswered.join()}`;
    });
    for (const channel of channels) {
      assert.deepEqual(heard.get(`token:T-${round}-${channel}`), [{ action: 'save', ok: true }], channel);
    }
  };

  let { owner, ids } = await layout();
  assert.equal(new Set(owner.values()).size, 3, 'the 16 channels spread over the 3 masters');
  await until('each channel subscribed on its master only', 5_000, subscribedOnOwners(owner));
  await savedOnEach(owner, 'first');
  // a move: stored in the cluster (GEOADD map:7), shown on map:7
  assert.equal(Number(await call(owner.get('action:move:3'), 'SPUBLISH', 'action:move:3',
    envelope('MOVER', 'move/up'))), 1);
  await until('the move shown on map:7', 10_000, () => (heard.has('map:7') ? null : 'nothing on map:7'));
  assert.deepEqual(heard.get('map:7'), [{ players: [{ id: 5, action: 'move_up', position: [0, 0.5] }] }]);

  // a slot moved (the documented resharding steps, no keys to migrate): its old master drops the channel
  // (sunsubscribe) and the service plans again, so that the channel is subscribed on the new master
  const moved = 'action:move:0';
  const from = owner.get(moved);
  const to = ports.find((port) => port !== from);
  const slot = String(await call(from, 'CLUSTER', 'KEYSLOT', moved));
  assert.equal(await call(to, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', ids.get(from)), 'OK');
  assert.equal(await call(from, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', ids.get(to)), 'OK');
  for (const port of [to, from, ...ports.filter((q) => q !== to && q !== from)]) {
    assert.equal(await call(port, 'CLUSTER', 'SETSLOT', slot, 'NODE', ids.get(to)), 'OK');
  }
  ({ owner } = await layout());
  assert.equal(owner.get(moved), to, 'the cluster says the slot moved');
  await until('the moved channel subscribed on its new master', 10_000, subscribedOnOwners(owner));
  assert.match(service.output,
    /Redis dropped action:move:0 on [^ ]+ \(its slot moved or its master changed\): planning the subscriptions again/);
  await savedOnEach(owner, 'after-move');

  // a subscription connection lost (killed on one master): all planned again
  const replans = service.output.split('planning the subscriptions again').length;
  const killed = await call(to, 'CLIENT', 'KILL', 'TYPE', 'pubsub');
  assert.ok(Number(killed) >= 1, `pubsub connections killed on ${to}: ${killed}`);
  await until('the service planning again after the loss', 5_000, () => (service.output
    .split('planning the subscriptions again').length > replans ? null : 'not yet'));
  await until('each channel subscribed on its master again', 10_000, subscribedOnOwners(owner));
  await savedOnEach(owner, 'after-loss');

  // a master failed over (a replica added to the one with the most channels, then CLUSTER FAILOVER on it): the old
  // master, demoted, drops its channels or its connection, and the service subscribes them on the new master
  const counts = ports.map((port) => [...owner.values()].filter((q) => q === port).length);
  const master = ports[counts.indexOf(Math.max(...counts))];
  const replica = await p.redis((port) => ['--cluster-enabled', 'yes',
    '--cluster-config-file', path.join(p.dir, `nodes-${port}.conf`)]);
  assert.equal(await call(replica, 'CLUSTER', 'MEET', '127.0.0.1', String(master)), 'OK');
  await until('the new node and the others know each other', 10_000, async () => {
    for (const port of ports.concat(replica)) {
      const nodes = String(await call(port, 'CLUSTER', 'NODES')).trim().split('\n');
      if (nodes.length !== 4 || nodes.some((line) => /handshake|noaddr/.test(line))) {
        return `${port} knows ${nodes.length} nodes: ${nodes.map((line) => line.split(' ')[2]).join(' ')}`;
      }
    }
    return null;
  });
  assert.equal(await call(replica, 'CLUSTER', 'REPLICATE', ids.get(master)), 'OK');
  await until('the replica in sync and known to its master as one', 20_000, async () => {
    if (!/master_link_status:up/.test(String(await call(replica, 'INFO', 'replication')))) {
      return 'link not up';
    }
    const replicas = String(await call(master, 'CLUSTER', 'REPLICAS', ids.get(master)));
    return replicas.includes(`:${replica}@`) ? null : `the master's replicas: ${replicas}`;
  });
  const beforeFailover = service.output.split('planning the subscriptions again').length;
  assert.equal(await call(replica, 'CLUSTER', 'FAILOVER'), 'OK');
  ports.push(replica);
  await until('the replica promoted, in every node\'s view', 20_000, async () => {
    for (const port of ports) {
      const slots = await call(port, 'CLUSTER', 'SLOTS');
      if (slots.some((range) => Number(range[2][1]) === master)) {
        return `${port} still has ${master} as a master`;
      }
    }
    return null;
  });
  ({ owner } = await layout());
  assert.ok([...owner.values()].includes(replica), 'channels on the new master');
  await until('each channel subscribed on its master after the failover', 15_000, subscribedOnOwners(owner));
  assert.ok(service.output.split('planning the subscriptions again').length > beforeFailover, 'planned again');
  await savedOnEach(owner, 'after-failover');
  service.output.split('\n').filter((line) => /sharded actions|subscribed to/.test(line)).forEach((line) => {
    t.diagnostic(line);
  });

  await stop(service);
});

test('on one redis-server the sharded action channels are SSUBSCRIBEd on its connection; with 0 the classic ones',
  { skip, timeout: 60_000 }, async (t) => {
    const p = processes(t);
    const port = await p.redis();
    const heard = await listen(port, p.closers);
    const url = `redis://127.0.0.1:${port}`;

    const sharded = await p.service({ REDIS_URL: url, ACTION_CHANNELS: '4', ACTION_CHANNEL_PREFIX: 'act:' });
    const channels = ['api', 'move'].flatMap((model) => Array.from({ length: 4 }, (_, n) => `act:${model}:${n}`));
    await until('every channel subscribed once', 5_000, async () => {
      const there = (await call(port, 'PUBSUB', 'SHARDCHANNELS')).map(String).sort();
      if (there.join() !== [...channels].sort().join()) {
        return `subscribed: ${there.join()}`;
      }
      const counts = await call(port, 'PUBSUB', 'SHARDNUMSUB', ...channels);
      return counts.every((v, i) => i % 2 === 0 || Number(v) === 1) ? null : `counts: ${counts}`;
    });
    assert.deepEqual((await call(port, 'PUBSUB', 'CHANNELS', 'act:*')).map(String), [], 'no classic subscription');
    for (const channel of channels) {
      assert.equal(Number(await call(port, 'SPUBLISH', channel, envelope(`S-${channel}`, 'api/save'))), 1, channel);
    }
    assert.equal(Number(await call(port, 'SPUBLISH', 'act:move:2', envelope('MOVER', 'move/left'))), 1);
    await until('each answered', 10_000, () => {
      const unanswered = channels.filter((channel) => !heard.has(`token:S-${channel}`));
      return unanswered.length === 0 && heard.has('map:7') ? null : `unanswered: ${unanswered.join()}`;
    });
    assert.deepEqual(heard.get('map:7'), [{ players: [{ id: 5, action: 'move_left', position: [-0.5, 0] }] }]);
    await stop(sharded);

    // ACTION_CHANNELS unset: the classic channels, as before
    const classic = await p.service({ REDIS_URL: url, ACTION_CHANNEL_PREFIX: 'act:' });
    await until('the classic channels subscribed', 5_000, async () => {
      const there = (await call(port, 'PUBSUB', 'CHANNELS', 'act:*')).map(String).sort().join();
      return there === 'act:api,act:move' ? null : `subscribed: ${there}`;
    });
    assert.deepEqual((await call(port, 'PUBSUB', 'SHARDCHANNELS')).map(String), [], 'no sharded subscription');
    assert.equal(Number(await call(port, 'PUBLISH', 'act:api', envelope('CLASSIC', 'api/save'))), 1);
    await until('the classic action answered', 10_000, () => (heard.has('token:CLASSIC') ? null : 'no answer'));
    await stop(classic);
  });
