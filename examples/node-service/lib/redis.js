// The service's Redis connections past one server (README, "Redis Cluster and Sentinel"): node-redis has a cluster
// client but no Sentinel client, and its cluster client sends a keyless PUBLISH to any node. Here: the connection
// that follows its endpoint (the subscriber's; Sentinel's master for commands), where it goes (one server, a
// cluster's nodes in turn, the master the Sentinels name or announce), and classic PUBLISHes over one cluster node's
// connection.
import { createClient, createCluster, ErrorReply } from 'redis';
import { log } from './log.js';

export const MIN_BACKOFF_MS = 100;
export const MAX_BACKOFF_MS = 5_000;
/** How long a cluster client is kept after being replaced, for its commands in flight. */
export const RETIRE_AFTER_MS = 2_000;
/** Least time between two renewals of the cluster client. */
export const RENEW_EVERY_MS = 1_000;
/** How long a QUIT may take on closing before the connection is just dropped. */
export const QUIT_TIMEOUT_MS = 1_000;
/** How long one Sentinel may take to connect and answer. */
export const SENTINEL_TIMEOUT_MS = 2_000;

/** Waits between reconnection attempts: 100 ms, 200 ms, ... up to 5 s. */
export const backoff = (retries) => Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.min(retries, 6));

/** Where to connect: always the one server. */
export function fixedEndpoint(url) {
  return { size: 1, locate: async () => url, failed: () => {} };
}

/**
 * Where to connect on a cluster: one of its nodes, the same one until a connection to it fails, then the next
 * (any node will do for classic Pub/Sub: every node forwards what is published on it to the subscribers of all).
 */
export function clusterEndpoints(urls) {
  let current = 0;
  return {
    size: urls.length,
    locate: async () => urls[current],
    failed: (url) => {
      if (urls[current] === url) {
        current = (current + 1) % urls.length;
      }
    },
  };
}

/**
 * Where to connect behind Sentinel: the master they name now (asked anew for every connection); once they announced
 * a switch (announce(url), from MasterSwitches), first the master announced, if it answers as a master. The
 * connections made through it (FollowingConnection) leave the old master when a switch is announced.
 */
export function sentinelEndpoint(sentinels, masterName) {
  const listeners = new Set();
  const endpoint = {
    size: 1,
    /** The URL of the master the Sentinels announced last, or null. */
    announced: null,
    locate: () => askSentinels(sentinels, masterName),
    failed: () => {},
    /** The Sentinels announced the master at url: tells every connection (onMove) to go there. */
    announce(url) {
      endpoint.announced = url;
      listeners.forEach((listener) => listener(url));
    },
    /** Calls listener(url) at each switch announced; returns what stops it. */
    onMove: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return endpoint;
}

/** Whether two redis:// URLs name the same host and port. */
export function sameAddress(a, b) {
  return a != null && b != null && new URL(a).host === new URL(b).host;
}

/** Rejects unless the client's server answers ROLE as a master. */
export async function requireMaster(client) {
  const role = await client.sendCommand(['ROLE']);
  if (!Array.isArray(role) || String(role[0]) !== 'master') {
    throw new Error(`not a master (ROLE: ${Array.isArray(role) ? role[0] : role})`);
  }
}

/**
 * Asks the Sentinels in turn (SENTINEL GET-MASTER-ADDR-BY-NAME) for the master's address; the first one that knows
 * it answers. The master's URL keeps the Sentinel URL's credentials and database. Rejects when none answers.
 */
export async function askSentinels(sentinels, masterName) {
  const problems = [];
  for (const url of sentinels) {
    const sentinel = createClient({ url, socket: { connectTimeout: SENTINEL_TIMEOUT_MS, reconnectStrategy: false } });
    sentinel.on('error', () => {}); // the failure is the rejection below
    try {
      const reply = await withTimeout(sentinel.connect()
        .then(() => sentinel.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName])), SENTINEL_TIMEOUT_MS);
      if (Array.isArray(reply) && reply.length === 2) {
        return masterUrl(url, String(reply[0]), String(reply[1]));
      }
      problems.push(`${url}: no master named '${masterName}'`);
    } catch (e) {
      problems.push(`${url}: ${e.message}`);
    } finally {
      if (sentinel.isOpen) {
        await sentinel.disconnect().catch(() => {});
      }
    }
  }
  throw new Error(`no Sentinel named the master '${masterName}' (${problems.join('; ')})`);
}

/** The sentinel's URL with the master's host and port. */
export function masterUrl(sentinelUrl, host, port) {
  const url = new URL(sentinelUrl);
  url.hostname = host.includes(':') ? `[${host}]` : host;
  url.port = port;
  return url.toString();
}

/**
 * Closes a client (or a cluster client): QUIT, so that the replies in flight come first, but dropped after a second
 * (a QUIT on a connection that is down would wait for it to come back; the process would end before it does).
 */
export async function quit(client) {
  if (client == null || !client.isOpen) {
    return;
  }
  try {
    await withTimeout(client.quit(), QUIT_TIMEOUT_MS);
  } catch {
    await client.disconnect().catch(() => {});
  }
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([promise, new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  })]).finally(() => clearTimeout(timer));
}

/**
 * One connection at a time to where `endpoint` names. When it is lost, it is made again, 100 ms, 200 ms, ... up to
 * 5 s apart, to where the endpoint names then (the next node of a cluster, the master Sentinel names after a
 * failover), and `setup` runs again on the new one (the subscriber subscribes there). Commands sent while there is
 * none fail at once rather than wait (node-redis's offline queue is off). Behind Sentinel, when the Sentinels
 * announce a new master (the endpoint's announce()), the connection is left for it at once (follow()), and each
 * connection goes first to the master announced last (if it answers ROLE as a master, else the Sentinels are asked).
 */
export class FollowingConnection {
  constructor(name, endpoint, setup = async () => {}) {
    this.name = name;
    this.endpoint = endpoint;
    this.setup = setup;
    this.current = null;
    this.url = null;
    this.closed = false;
    this.timer = null;
    /** How many times the master moved (follow()): a connection made meanwhile to elsewhere is made again. */
    this.moves = 0;
    this.unfollow = endpoint.onMove?.(() => this.follow()) ?? (() => {});
  }

  /** The connection when it is up, else null. */
  get client() {
    return this.current?.isReady ? this.current : null;
  }

  /** The connection, or an Error when it is down (a command then fails as on a lost connection). */
  require() {
    const client = this.client;
    if (client == null) {
      throw new Error(`no connection to Redis now [${this.name}]`);
    }
    return client;
  }

  /** Connects (each endpoint once in turn); rejects when none can be reached now. */
  async start() {
    let error;
    for (let i = 0; i < this.endpoint.size; i++) {
      try {
        await this.connect();
        return;
      } catch (e) {
        error = e;
      }
    }
    throw error;
  }

  /** For a connection start() could not make: tries again in the background, as after a loss, until closed. */
  retry() {
    if (!this.closed && this.current == null && this.timer == null) {
      this.reconnect(0);
    }
  }

  /**
   * Connects where the endpoint names; when the master moved meanwhile (follow()), again at once, unless it is on
   * the master announced.
   */
  async connect() {
    for (;;) {
      const moves = this.moves;
      let made;
      try {
        made = await this.open();
      } catch (e) {
        if (this.closed || this.moves === moves) {
          throw e;
        }
        continue; // it moved while connecting: to where it went, at once
      }
      if (this.closed) {
        await made.client.disconnect().catch(() => {});
        throw new Error('closed');
      }
      if (this.moves !== moves && !sameAddress(made.url, this.endpoint.announced)) {
        await made.client.disconnect().catch(() => {});
        continue;
      }
      this.current = made.client;
      this.url = made.url;
      return;
    }
  }

  /** A connection to the master announced last, if there is one and it answers as a master; else to locate()'s. */
  async open() {
    const announced = this.endpoint.announced;
    if (announced != null) {
      try {
        return await this.openAt(announced, requireMaster);
      } catch (e) {
        log.debug(`[redis: ${this.name}] the master announced, ${announced}, cannot be used (${e.message}), `
          + 'asking the Sentinels');
      }
    }
    return this.openAt(await this.endpoint.locate());
  }

  async openAt(url, check = async () => {}) {
    const client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    client.on('error', (e) => {
      if (client === this.current && client.isOpen && !this.closed) { // once: node-redis tells a loss twice
        log.warn(`[redis: ${this.name} ${url}] ${e.message}`);
      }
      setImmediate(() => this.lost(client, url)); // once node-redis has marked it closed
    });
    try {
      await client.connect();
      await check(client);
      await this.setup(client);
    } catch (e) {
      this.endpoint.failed(url);
      if (client.isOpen) {
        await client.disconnect().catch(() => {});
      }
      throw e;
    }
    return { client, url };
  }

  lost(client, url) {
    if (client !== this.current || client.isOpen || this.closed) {
      return;
    }
    this.current = null;
    this.endpoint.failed(url);
    log.warn(`[redis: ${this.name} ${url}] connection lost, reconnecting`);
    this.reconnect(0);
  }

  /**
   * The Sentinels announced a new master (the endpoint's `announced`): a connection elsewhere (very likely to the
   * old master, which may stay up as a master, hearing nothing the gateway publishes and taking writes it will lose,
   * until the Sentinels demote it some 10 s later) is closed and made again there now; so is one waiting to be.
   */
  follow() {
    if (this.closed) {
      return;
    }
    this.moves++;
    const target = this.endpoint.announced;
    const old = this.current;
    if (old != null) {
      if (sameAddress(this.url, target)) {
        return; // already there
      }
      log.warn(`[redis: ${this.name} ${this.url}] the master moved: connecting to ${target}`);
      this.current = null;
      quit(old).catch(() => {}); // its replies in flight first (its 'error' handler ignores it now)
      this.reconnect(0, 0);
    } else if (this.timer != null) {
      clearTimeout(this.timer);
      this.reconnect(0, 0);
    } // else connecting now: connect() sees the move and connects again if it is not there
  }

  reconnect(retries, delayMs = backoff(retries)) {
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.closed) {
        return;
      }
      this.connect().then(
        () => log.info(`[redis: ${this.name} ${this.url}] connected again`),
        (e) => {
          log.debug(`[redis: ${this.name}] reconnection failed: ${e.message}`);
          if (!this.closed && this.current == null && this.timer == null) {
            this.reconnect(retries + 1);
          }
        });
    }, delayMs);
  }

  async close() {
    this.closed = true;
    this.unfollow();
    clearTimeout(this.timer);
    this.timer = null;
    const client = this.current;
    this.current = null;
    await quit(client);
  }
}

/**
 * Classic PUBLISHes on a Redis Cluster over one node's connection, so that they reach subscribers in the order sent:
 * the cluster client would send each (it has no key) to any node, and two messages that went through different
 * nodes may arrive in either order. When the node in use cannot be reached, the next one is used (a node that comes
 * back is reconnected in the background). Like the Java example service's OneNodePublisher.
 */
export class OneNodePublisher {
  /** running(): whether the service runs (before it does, a node that cannot be reached is not retried). */
  constructor(urls, running) {
    this.urls = urls;
    this.clients = urls.map((url) => {
      const client = createClient({
        url,
        disableOfflineQueue: true,
        socket: {
          reconnectStrategy: (retries, cause) => running()
            ? backoff(retries) : new Error(`cannot reach ${url}: ${cause?.message ?? cause}`),
        },
      });
      client.on('error', (e) => running() && log.debug(`[redis: publisher ${url}] ${e.message}`));
      return client;
    });
    this.current = 0;
  }

  /** Connects to every node it can; rejects when it can reach none. */
  async start() {
    const results = await Promise.allSettled(this.clients.map((c) => c.connect()));
    const up = results.findIndex((r) => r.status === 'fulfilled');
    if (up < 0) {
      throw results[0].reason;
    }
    this.current = up;
  }

  /** Publishes on the node in use; when it cannot be reached, on the next ones in turn. */
  async publish(channel, message, tries = this.clients.length) {
    const node = this.current;
    const client = this.clients[node];
    try {
      if (!client.isOpen) {
        client.connect().catch(() => {}); // unreachable at start: from now on reconnected in the background
      }
      return await client.publish(channel, message);
    } catch (e) {
      if (e instanceof ErrorReply || tries <= 1) {
        throw e; // refused by Redis itself, or no node left to try
      }
      if (this.current === node) {
        this.current = (node + 1) % this.clients.length;
        log.warn(`[redis: publisher] ${this.urls[node]} failed (${e.message}), `
          + `publishing on ${this.urls[this.current]}`);
      }
      return this.publish(channel, message, tries - 1);
    }
  }

  async close() {
    await Promise.allSettled(this.clients.map(quit));
  }
}

/**
 * Commands on a Redis Cluster through node-redis's cluster client, each to its key's master (MOVED and ASK
 * followed). node-redis 4 learns a slot's new master only from a MOVED reply, which a failed master never sends:
 * so when a command fails on a connection (not refused by Redis), the client is made anew, at most once a second,
 * which reads the slots from the nodes again; the old one is closed a little later, its commands in flight done.
 */
export class ClusterCommands {
  /** running(): whether the service runs (before it does, a node that cannot be reached is not retried). */
  constructor(urls, running) {
    this.urls = urls;
    this.running = running;
    this.client = null;
    this.renewing = null;
    this.renewedAt = 0;
    this.retiring = new Set();
    this.closed = false;
  }

  /** Connects through the first node that answers; rejects when none does. */
  async start() {
    this.client = await this.connect();
  }

  async connect() {
    let connected = false; // a node that cannot be reached while connecting fails the attempt; later, it is retried
    const client = createCluster({
      rootNodes: this.urls.map((url) => ({ url })),
      defaults: {
        disableOfflineQueue: true,
        socket: {
          reconnectStrategy: (retries, cause) => connected && this.running() && !this.closed
            ? backoff(retries) : new Error(`cannot reach a cluster node: ${cause?.message ?? cause}`),
        },
      },
    });
    client.on('error', (e) => connected && this.running() && client === this.client
      && log.debug(`[redis: commands] ${e.message}`));
    try {
      await client.connect();
    } catch (e) {
      client.disconnect().catch(() => {});
      throw e;
    }
    connected = true;
    return client;
  }

  /** Told of a command's failure: one on a connection has the slots read again, with a new client. */
  failed(e) {
    if (e instanceof ErrorReply || this.renewing || this.closed || Date.now() - this.renewedAt < RENEW_EVERY_MS) {
      return;
    }
    this.renewedAt = Date.now();
    this.renewing = this.connect().then((fresh) => {
      if (this.closed) {
        fresh.disconnect().catch(() => {});
        return;
      }
      const old = this.client;
      this.client = fresh;
      log.warn(`[redis: commands] cluster client made anew after a failed command (${e.message})`);
      this.retiring.add(old);
      setTimeout(() => {
        this.retiring.delete(old);
        old.disconnect().catch(() => {});
      }, RETIRE_AFTER_MS).unref();
    }, (err) => log.debug(`[redis: commands] cluster client not renewed: ${err.message}`))
      .finally(() => {
        this.renewing = null;
      });
  }

  async close() {
    this.closed = true;
    await this.renewing;
    const clients = [this.client, ...this.retiring].filter((c) => c != null);
    this.retiring.clear();
    await Promise.allSettled(clients.map(quit));
  }
}

/** How many hash slots a Redis Cluster has. */
export const SLOTS = 16_384;

/**
 * The Redis Cluster hash slot of a key or channel: CRC16 (XMODEM) of its UTF-8 bytes, or of its {hash tag} (the bytes
 * between the first '{' and the first '}' after it, when there are some), mod 16384; what CLUSTER KEYSLOT answers.
 */
export function hashSlot(key) {
  let bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf(0x7b); // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) {
      bytes = bytes.subarray(open + 1, close);
    }
  }
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc % SLOTS;
}

/**
 * Which master serves which channels, from a CLUSTER SLOTS reply ([[from, to, [host, port, id, ...], replicas...],
 * ...]) asked of the node at askedUrl: a Map from each master's URL (seedUrl's, with its credentials, and the master's
 * host and port; an endpoint the node does not know, null, '' or '?', is the host asked) to its channels, in their
 * order. Throws when no master serves the slot of one.
 */
export function planByMaster(slotsReply, channels, askedUrl, seedUrl = askedUrl) {
  const owners = new Array(SLOTS);
  for (const [from, to, master] of slotsReply) {
    const host = master[0] == null || String(master[0]) === '' || String(master[0]) === '?'
      ? new URL(askedUrl).hostname.replace(/^\[(.*)\]$/, '$1') : String(master[0]);
    const url = masterUrl(seedUrl, host, String(master[1]));
    for (let slot = Number(from); slot <= Number(to); slot++) {
      owners[slot] = url;
    }
  }
  const plan = new Map();
  for (const channel of channels) {
    const slot = hashSlot(channel);
    const url = owners[slot];
    if (url == null) {
      throw new Error(`no master serves slot ${slot} (of channel ${channel})`);
    }
    if (!plan.has(url)) {
      plan.set(url, []);
    }
    plan.get(url).push(channel);
  }
  return plan;
}

/** CLUSTER SLOTS from the first of the nodes (tried in turn from `first`) that answers: { reply, url, index }. */
export async function clusterSlots(urls, first = 0) {
  const problems = [];
  for (let i = 0; i < urls.length; i++) {
    const index = (first + i) % urls.length;
    const url = urls[index];
    const client = createClient({ url, socket: { connectTimeout: SENTINEL_TIMEOUT_MS, reconnectStrategy: false } });
    client.on('error', () => {}); // the failure is the rejection below
    try {
      const reply = await withTimeout(client.connect().then(() => client.sendCommand(['CLUSTER', 'SLOTS'])),
        SENTINEL_TIMEOUT_MS);
      return { reply, url, index };
    } catch (e) {
      problems.push(`${url}: ${e.message}`);
    } finally {
      if (client.isOpen) {
        await client.disconnect().catch(() => {});
      }
    }
  }
  throw new Error(`no cluster node answered CLUSTER SLOTS (${problems.join('; ')})`);
}

/**
 * Sharded action channels (SSUBSCRIBE) on a Redis Cluster, like the Java example service's ShardedActionSubscribers:
 * a sharded channel lives on the master of its hash slot, so the cluster is asked which master serves which slots
 * (CLUSTER SLOTS, of its nodes in turn), the channels are grouped by master, and each group is subscribed on a
 * connection of its own to its master, one SSUBSCRIBE per channel (Redis refuses one naming channels of different
 * slots). When one of those connections is lost, or Redis drops one of its channels (its slot moved to another
 * master, or the master was demoted: an `sunsubscribe` Redis sends by itself), every connection is closed and the
 * plan made again from a fresh CLUSTER SLOTS, after 100 ms, 200 ms, ... up to 5 s while that fails. Messages
 * published meanwhile are lost, as with any Pub/Sub.
 *
 * (node-redis 4's cluster client has an sSubscribe, but does not follow a failover with it: a lost connection is
 * reconnected to the same address, a rediscovery drops the connections of a demoted master with their channels, and
 * it listens for a 'server-sunsubscribe' event its clients do not emit, so a slot moved is not followed either.)
 */
export class ShardedSubscribers {
  /** listener(message, channel) for each message; running(): whether the service runs (for logging). */
  constructor(urls, channels, listener, running = () => true) {
    this.urls = urls;
    this.channels = channels;
    this.listener = listener;
    this.running = running;
    /** The connections of the plan in force (one per master); empty while none is. */
    this.clients = [];
    /** Master URL -> its channels, of the plan in force. */
    this.plan = new Map();
    /** The node that answered CLUSTER SLOTS last, asked first next time. */
    this.seed = 0;
    this.planning = false;
    this.stale = false;
    this.timer = null;
    this.closed = false;
  }

  /** Subscribes every channel on its master; rejects (and closes what it opened) when that cannot be done now. */
  async start() {
    this.planning = true;
    try {
      await this.makePlan();
    } finally {
      this.planning = false;
    }
  }

  /** Where the channels are subscribed now: `<n> on <url>` for each master. */
  describe() {
    return [...this.plan].map(([url, channels]) => `${channels.length} on ${new URL(url).host}`).join(', ');
  }

  async makePlan() {
    this.stale = false;
    const slots = await clusterSlots(this.urls, this.seed);
    this.seed = slots.index;
    const plan = planByMaster(slots.reply, this.channels, slots.url, this.urls[0]);
    const clients = [];
    this.clients = clients;
    try {
      await Promise.all([...plan].map(([url, channels]) => this.subscribeOn(url, channels, clients)));
      if (this.closed) {
        throw new Error('closed');
      }
      if (this.stale) {
        throw new Error('a connection was lost while subscribing');
      }
    } catch (e) {
      if (this.clients === clients) {
        this.clients = [];
      }
      await Promise.allSettled(clients.map((c) => c.disconnect()));
      throw e;
    }
    this.plan = plan;
  }

  /** A connection to the master at url, its channels subscribed there one SSUBSCRIBE each (pipelined). */
  async subscribeOn(url, channels, clients) {
    const client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    clients.push(client);
    client.on('error', (e) => {
      if (this.clients.includes(client) && client.isOpen && !this.closed && this.running()) { // once, not twice
        log.warn(`[redis: sharded actions ${new URL(url).host}] ${e.message}`);
      }
      setImmediate(() => this.lost(client, `connection to ${new URL(url).host} lost`));
    });
    // not at once: node-redis tells it from within its reply decoder, which a disconnect there breaks (a TypeError)
    client.on('sharded-channel-moved', (channel) => setImmediate(() => this.lost(client, `Redis dropped ${channel} `
      + `on ${new URL(url).host} (its slot moved or its master changed)`)));
    await client.connect();
    await Promise.all(channels.map((channel) => client.sSubscribe(channel, this.listener)));
  }

  /** One of the plan's connections failed: while a plan is made, it is made again; else a new plan is made. */
  lost(client, why) {
    if (this.closed || !this.clients.includes(client)) {
      return;
    }
    if (this.planning) {
      this.stale = true;
      return;
    }
    log.warn(`[redis: sharded actions] ${why}: planning the subscriptions again`);
    this.replan();
  }

  replan() {
    this.planning = true;
    const old = this.clients;
    this.clients = [];
    this.plan = new Map();
    Promise.allSettled(old.map((c) => c.disconnect())).then(() => this.retry(0));
  }

  retry(retries) {
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.closed) {
        return;
      }
      this.makePlan().then(() => {
        this.planning = false;
        log.info(`[redis: sharded actions] ${this.channels.length} channels subscribed again: ${this.describe()}`);
      }, (e) => {
        if (this.closed) {
          return;
        }
        log.debug(`[redis: sharded actions] no plan yet (${e.message}), retrying`);
        this.retry(retries + 1);
      });
    }, backoff(retries));
  }

  async close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = null;
    const clients = this.clients;
    this.clients = [];
    await Promise.allSettled(clients.map(quit));
  }
}
