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
