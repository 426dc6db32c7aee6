'use strict';
// The 2021 gateway's job in one Node.js process (ws + ioredis), as the bench's yardstick (issue 21). Not a product:
// what the bench's scenarios exercise of the wire contract (shared docs/seed-protocol.md, README "Service contract"),
// done the way a Node.js developer would write it:
//  - WebSocket clients (any path, text or binary frames, answers in text frames) log in with a 2021 token: the
//    first message {"token":"<T>","action":"api/load"}; the token is good when the Redis hash <T> has an `id`
//    (`map_id` gives the map). One session per player: a second login closes the first ("logged in elsewhere").
//  - At login the hash gets ip, token, map_id, datetime; the token joins the GEO set map:<m> (NX, at 0,0 or its
//    saved position_x/position_y) and the session subscribes token:<T>, player:<id> and map:<m>.
//  - Every action: HSET <T> id token datetime action [ping], then PUBLISH <prefix><model> with the envelope the
//    Java node writes ({"player","map","token","model","method","action","data","node","session","ip","ts"}).
//  - Deliveries on token:<T>, player:<id>, map:<m> and the broadcast channel go to their sockets byte for byte.
//  - Every 20 s a sweep closes sessions idle past IDLE_TIMEOUT_SECONDS ({"error":"timeout"}) and connections
//    without a token after AUTH_TIMEOUT_SECONDS, as the 2021 daemon walked its connections.
//  - On leave: HSET ip "" token "" action offline, ZREM map:<m> <T>, DEL <T> (2021 saved before the DEL; the
//    bench's nodes run without persistence). SIGTERM: {"error":"server stopped"} to every client, then exit.
// Commands go out with ioredis' auto-pipelining: what one event-loop turn issues leaves in one write, as the Java
// node's ActionPublisher batches a turn's actions.
//
// Environment: PORT (8081; 0 picks a free one), HOST (127.0.0.1), REDIS_URL (redis://127.0.0.1:6379),
// ACTION_PREFIX (action:), BROADCAST_CHANNEL (broadcast), NODE_ID (nodejs), IDLE_TIMEOUT_SECONDS (300),
// AUTH_TIMEOUT_SECONDS (10), MAX_PAYLOAD (65536), OPS_PORT (off): GET /memory there answers process.memoryUsage()
// after a full GC when node runs with --expose-gc. Prints `listening <port>` once it serves.
const http = require('http');
const { WebSocketServer } = require('ws');
const Redis = require('ioredis');

const env = process.env;
const PORT = Number(env.PORT ?? 8081);
const HOST = env.HOST ?? '127.0.0.1';
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ACTION_PREFIX = env.ACTION_PREFIX ?? 'action:';
const BROADCAST = env.BROADCAST_CHANNEL ?? 'broadcast';
const NODE_ID = env.NODE_ID ?? 'nodejs';
const IDLE_MS = Number(env.IDLE_TIMEOUT_SECONDS ?? 300) * 1000;
const AUTH_MS = Number(env.AUTH_TIMEOUT_SECONDS ?? 10) * 1000;
const MAX_PAYLOAD = Number(env.MAX_PAYLOAD ?? 65536);
const MODEL = /^[A-Za-z0-9_-]{1,64}$/;

const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
const sub = new Redis(REDIS_URL);
const sessionsByPlayer = new Map(); // player id -> session
const receivers = new Map(); // channel -> session (token:, player:) or Set of sessions (map:)
const open = new Set(); // every connection's session, logged in or not
let started = 0;

const pad = (n) => String(n).padStart(2, '0');
function hashTime() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function fail(session, error, fatal) {
  session.ws.send(JSON.stringify({ error }));
  if (fatal) session.ws.close();
}

function subscribe(channel, session) {
  if (channel.startsWith('map:')) {
    let set = receivers.get(channel);
    if (!set) receivers.set(channel, (set = new Set()));
    set.add(session);
    return set.size === 1 ? sub.subscribe(channel) : Promise.resolve();
  }
  receivers.set(channel, session);
  return sub.subscribe(channel);
}

function unsubscribe(channel, session) {
  const at = receivers.get(channel);
  if (at instanceof Set) {
    at.delete(session);
    if (at.size > 0) return;
  } else if (at !== session) {
    return;
  }
  receivers.delete(channel);
  sub.unsubscribe(channel).catch(() => {});
}

sub.on('messageBuffer', (channel, payload) => {
  if (channel.toString() === BROADCAST) {
    for (const s of sessionsByPlayer.values()) s.ws.send(payload, { binary: false });
    return;
  }
  const at = receivers.get(channel.toString());
  if (at instanceof Set) {
    for (const s of at) s.ws.send(payload, { binary: false });
  } else if (at) {
    at.ws.send(payload, { binary: false });
  }
});

async function login(session, message) {
  const token = message.token;
  const [id, mapId, x, y] = await redis.hmget(token, 'id', 'map_id', 'position_x', 'position_y');
  if (id == null || session.closed) {
    if (id == null) fail(session, 'invalid token', true);
    return false;
  }
  const old = sessionsByPlayer.get(id);
  if (old) fail(old, 'logged in elsewhere', true);
  Object.assign(session, { token, player: id, map: mapId || '1', channels: [`token:${token}`, `player:${id}`] });
  session.channels.push(`map:${session.map}`);
  sessionsByPlayer.set(id, session);
  await Promise.all([
    redis.hset(token, 'ip', session.ip, 'token', token, 'map_id', session.map, 'datetime', hashTime()),
    redis.geoadd(`map:${session.map}`, 'NX', Number(x) || 0, Number(y) || 0, token),
    ...session.channels.map((c) => subscribe(c, session)),
  ]);
  return !session.closed;
}

function publish(session, message) {
  const raw = String(message.action);
  const slash = raw.indexOf('/');
  const model = (slash < 0 ? raw : raw.slice(0, slash)) || 'api';
  const method = (slash < 0 ? '' : raw.slice(slash + 1)) || 'index';
  if (!MODEL.test(model)) return fail(session, 'unknown model', false);
  const { token: _t, action: _a, ...data } = message;
  const fields = ['id', session.player, 'token', session.token, 'datetime', hashTime(), 'action', raw];
  if (typeof message.pingTime === 'number') fields.push('ping', String(message.pingTime));
  redis.hset(session.token, ...fields).catch(() => {});
  const envelope = JSON.stringify({
    player: session.player, map: session.map, token: session.token, model, method, action: raw, data,
    node: NODE_ID, session: session.id, ip: session.ip, ts: Date.now(),
  });
  redis.publish(ACTION_PREFIX + model, envelope).catch(() => fail(session, 'action not delivered, try again', false));
}

async function onMessage(session, bytes) {
  session.lastSeen = Date.now();
  let message;
  try {
    message = JSON.parse(bytes.toString('utf8'));
  } catch {
    return fail(session, 'malformed message', true);
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return fail(session, 'malformed message', true);
  if (!session.player) {
    if (session.pending) return session.pending.push(message); // messages sent while the token is checked
    if (typeof message.token !== 'string') return fail(session, 'invalid token', true);
    session.pending = [];
    try {
      if (!(await login(session, message))) return;
    } catch {
      return fail(session, 'service unavailable', true);
    }
    for (const m of [message, ...session.pending]) {
      if (session.closed) return;
      if (m.action == null) return fail(session, 'no action', true);
      publish(session, m);
    }
    session.pending = null;
    return;
  }
  if (message.action == null) return fail(session, 'no action', true);
  publish(session, message);
}

function onClose(session) {
  session.closed = true;
  open.delete(session);
  if (!session.player) return;
  if (sessionsByPlayer.get(session.player) === session) sessionsByPlayer.delete(session.player);
  session.channels.forEach((c) => unsubscribe(c, session));
  const t = session.token;
  redis.hset(t, 'ip', '', 'token', '', 'action', 'offline')
    .then(() => redis.zrem(`map:${session.map}`, t))
    .then(() => redis.del(t))
    .catch(() => {});
}

const server = http.createServer((req, res) => {
  res.writeHead(426, { Connection: 'close' }).end();
});
const wss = new WebSocketServer({ server, maxPayload: MAX_PAYLOAD, perMessageDeflate: false, clientTracking: true });
wss.on('connection', (ws, req) => {
  const session = { ws, id: `${NODE_ID}.${process.pid}-${++started}`, ip: req.socket.remoteAddress, opened: Date.now(), lastSeen: Date.now() };
  open.add(session);
  ws.on('message', (bytes) => onMessage(session, bytes));
  ws.on('close', () => onClose(session));
  ws.on('error', () => ws.terminate());
});

// the 2021 daemon's walk over its connections
setInterval(() => {
  const now = Date.now();
  for (const s of open) {
    if (!s.player && !s.pending && now - s.opened > AUTH_MS) fail(s, 'authentication timeout', true);
    else if (s.player && now - s.lastSeen > IDLE_MS) fail(s, 'timeout', true);
  }
}, 20_000).unref();

sub.subscribe(BROADCAST).then(() => server.listen(PORT, HOST, () => {
  console.log(`listening ${server.address().port}`);
}));

if (env.OPS_PORT) {
  http.createServer((req, res) => {
    if (global.gc) { global.gc(); global.gc(); }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ ...process.memoryUsage(), gc: Boolean(global.gc), sessions: sessionsByPlayer.size, sockets: wss.clients.size }));
  }).listen(Number(env.OPS_PORT), '127.0.0.1');
}

process.on('SIGTERM', () => {
  for (const ws of wss.clients) {
    ws.send(JSON.stringify({ error: 'server stopped' }));
    ws.close();
  }
  setTimeout(() => process.exit(0), 500).unref();
  server.close();
});
