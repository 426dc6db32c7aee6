// The seed gateway's browser demo: join as a guest, see the other players on the map, move with the arrow
// keys, watch the round trip. It speaks the 2021 client protocol over one WebSocket to the node that served
// this page (the JWT in the `token` query parameter), and needs a game service (the example one) behind it.
// It asks for a resumable session (`resume=1`): deliveries come numbered, {"seq":n,"msg":<payload>}, and after
// a drop (or a drained node's {"error":"server stopped","reconnect":true}) the page reconnects to the same URL
// and sends {"resume":"<token>","seq":<last seen>}; the gateway replays what it missed. A failed resume falls
// back to a fresh login with the same JWT on that connection.
// window.demoState holds what the page knows, for people and tests to read.
(function () {
  'use strict';

  const KEYS = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };
  const MIN_SEND_INTERVAL_MS = 100; // the 2021 clients sent at most about one message per 100 ms
  const MOVE_GIVE_UP_MS = 2000; // a move not seen back by then no longer holds the next one
  const RTT_SAMPLES = 20;
  const MAX_X = 180;
  const MAX_Y = 85;
  const PX_PER_UNIT = 40; // one 0.5 step of the example service is 20 px
  const FIRST_BACKOFF_MS = 500; // reconnects wait 0.5, 1, 2, 4, then 5 s
  const MAX_BACKOFF_MS = 5000;
  const MAX_RECONNECTS = 20; // attempts in a row, about 90 s: a drained node refuses connections up to 30 s
  const DROP_MS = 5000; // how long "Drop the connection" stays away

  const state = {
    joined: false, // the load reply arrived
    connected: false,
    player: null,
    map: null,
    ws: null, // the WebSocket URL of the node that served this page
    players: {}, // id -> {id, action, x, y}
    rttMs: null, // last measured round trip (an action sent until its answer arrived)
    rttAvgMs: null,
    rttSamples: [],
    movesSent: 0,
    movesSeen: 0, // own moves seen back in a players broadcast
    lastError: null,
    closeCode: null,
    resumable: false, // the gateway gave this page a resume token
    seq: 0, // the number of the last delivery seen
    reconnecting: false, // a reconnect is waiting or on its way
    resumes: 0, // resumes that worked
    lastReplayed: null, // deliveries the last resume recovered
    lastResumeFailure: null, // the reason the last resume failed (then the page logged in afresh)
  };
  window.demoState = state;

  const el = (id) => document.getElementById(id);
  const canvas = el('map');
  const ctx = canvas.getContext('2d');
  const joinButton = el('join');
  const dropButton = el('drop');
  let ws = null;
  let guest = null; // {token, player, map, ws} from /dev/guest
  let resumeToken = null; // secret: stands for the login, so kept out of demoState
  let reconnectAttempt = 0;
  let reconnectTimer = null;
  let awayUntil = 0; // "Drop the connection" keeps the page away until then
  let pending = null; // {kind: 'load'|'move', at}
  let lastSentAt = -Infinity;
  let heldDirection = null;
  let queuedDirection = null;
  const drawn = {}; // id -> {x, y}, eased towards the real position

  joinButton.addEventListener('click', join);
  dropButton.addEventListener('click', () => {
    if (ws && state.joined) {
      awayUntil = performance.now() + DROP_MS;
      logEvent('dropped the connection, back in ' + DROP_MS / 1000 + ' s');
      ws.close(); // no message: to the gateway this is a lost connection, so the session waits to be resumed
    }
  });
  document.addEventListener('keydown', (e) => {
    const direction = KEYS[e.key];
    if (!direction) {
      return;
    }
    e.preventDefault();
    heldDirection = direction;
    if (!trySendMove(direction)) {
      queuedDirection = direction;
    }
  });
  document.addEventListener('keyup', (e) => {
    if (KEYS[e.key] === heldDirection) {
      heldDirection = null;
    }
  });
  setInterval(() => {
    const direction = queuedDirection || heldDirection;
    if (direction && trySendMove(direction)) {
      queuedDirection = null;
    }
  }, 25);

  async function join() {
    clearTimeout(reconnectTimer);
    joinButton.disabled = true;
    joinButton.textContent = 'Joining…';
    setStatus('signing in…');
    const map = new URLSearchParams(location.search).get('map');
    let signedIn;
    try {
      const response = await fetch('/dev/guest', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(map ? { map } : {}),
      });
      signedIn = await response.json();
      if (!response.ok) {
        throw new Error(signedIn.error || 'HTTP ' + response.status);
      }
    } catch (e) {
      fail('guest sign-in failed: ' + e.message);
      return;
    }
    guest = signedIn;
    Object.assign(state, { player: String(guest.player), map: guest.map, ws: guest.ws, players: {}, joined: false,
      lastError: null, closeCode: null, resumable: false, seq: 0, resumes: 0, lastReplayed: null,
      lastResumeFailure: null });
    resumeToken = null;
    reconnectAttempt = 0;
    connect();
  }

  /** Opens the WebSocket: a resume when the page holds a resume token, else a login with the JWT. */
  function connect() {
    const resuming = resumeToken !== null;
    setStatus(resuming ? 'resuming…' : 'connecting…');
    const url = resuming ? guest.ws
      : guest.ws + (guest.ws.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(guest.token) + '&resume=1';
    const socket = new WebSocket(url);
    let lastWords = null; // the gateway's error, when its last message was one (it then closes, or not)
    ws = socket;
    socket.onopen = () => {
      state.connected = true;
      if (resuming) {
        socket.send(JSON.stringify({ resume: resumeToken, seq: state.seq }));
      } else {
        setStatus('loading the map…');
        send({ action: 'api/load' }, 'load');
      }
    };
    socket.onmessage = (event) => {
      if (ws !== socket) {
        return;
      }
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        logEvent('unreadable message: ' + String(event.data).slice(0, 80), true);
        return;
      }
      lastWords = message && typeof message.error === 'string' ? message : null;
      receive(message);
    };
    socket.onclose = (event) => {
      if (ws !== socket) {
        return;
      }
      const wasJoined = state.joined;
      ws = null;
      state.connected = false;
      state.joined = false;
      state.closeCode = event.code;
      pending = null;
      // closed without a word (a drop), or told to reconnect (a drained node): reconnect, unless it never played
      const unexpected = lastWords === null || lastWords.reconnect === true;
      if (unexpected && (wasJoined || state.reconnecting) && reconnectAttempt < MAX_RECONNECTS) {
        reconnectLater(lastWords ? lastWords.error : 'connection lost (code ' + event.code + ')');
      } else {
        fail('disconnected' + (lastWords ? ': ' + lastWords.error : ' (code ' + event.code + ')'));
      }
    };
  }

  /** Connects again after a backoff (0.5 s doubling up to 5 s), and after a "Drop the connection" time is up. */
  function reconnectLater(why) {
    const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** reconnectAttempt);
    const delay = Math.max(backoff, awayUntil - performance.now());
    reconnectAttempt++;
    state.reconnecting = true;
    setStatus('reconnecting in ' + (delay / 1000).toFixed(1) + ' s…', 'bad');
    logEvent(why + ': reconnecting in ' + (delay / 1000).toFixed(1) + ' s', true);
    joinButton.disabled = true;
    joinButton.textContent = 'Reconnecting…';
    updatePanel();
    reconnectTimer = setTimeout(connect, delay);
  }

  function send(message, kind) {
    ws.send(JSON.stringify(message));
    const now = performance.now();
    lastSentAt = now;
    pending = { kind, at: now };
  }

  /** Sends move/<direction> when connected, joined, no earlier move is on its way and 100 ms have passed. */
  function trySendMove(direction) {
    if (!ws || !state.connected || !state.joined) {
      return false;
    }
    const now = performance.now();
    if (pending && now - pending.at < MOVE_GIVE_UP_MS) {
      return false;
    }
    if (now - lastSentAt < MIN_SEND_INTERVAL_MS) {
      return false;
    }
    const pingTime = state.rttMs == null ? 0 : Math.round(state.rttMs) / 1000;
    send({ action: 'move/' + direction, pingTime }, 'move');
    state.movesSent++;
    return true;
  }

  /** The gateway's own messages (resume and session); a numbered delivery is unwrapped and handled as before. */
  function receive(message) {
    if (message && message.session && typeof message.session.resume === 'string') {
      resumeToken = message.session.resume;
      state.seq = message.session.seq;
      state.resumable = true;
      updatePanel();
    } else if (message && message.resumed && typeof message.resumed.resume === 'string') {
      resumed(message.resumed);
    } else if (message && message.error === 'resume failed') {
      resumeFailed(String(message.reason));
    } else if (message && typeof message.seq === 'number' && 'msg' in message) {
      state.seq = message.seq;
      let payload = message.msg; // a JSON object or array as it is; any other payload as a JSON string of its text
      if (typeof payload === 'string') {
        try {
          payload = JSON.parse(payload);
        } catch (e) {
          logEvent('unreadable message: ' + payload.slice(0, 80), true);
          return;
        }
      }
      handle(payload);
    } else {
      handle(message);
    }
  }

  /** {"resumed":{"seq","replayed","resume"}}: the missed deliveries follow, then the live ones. */
  function resumed(r) {
    resumeToken = r.resume; // the old one is spent
    state.seq = r.seq;
    state.resumes++;
    state.lastReplayed = r.replayed;
    state.lastResumeFailure = null;
    state.joined = true;
    state.reconnecting = false;
    reconnectAttempt = 0;
    setStatus('playing', 'ok');
    joinButton.textContent = 'Joined';
    logEvent('resumed: recovered ' + plural(r.replayed, 'message'));
    updatePanel();
  }

  /** {"error":"resume failed","reason"}: the connection stays open; log in afresh on it with the same JWT. */
  function resumeFailed(reason) {
    resumeToken = null;
    state.resumable = false;
    state.seq = 0;
    state.lastReplayed = null;
    state.lastResumeFailure = reason;
    logEvent('resume failed (' + reason + '): logging in afresh', true);
    setStatus('logging in afresh…');
    send({ token: guest.token, action: 'api/load', resume: true }, 'load');
    updatePanel();
  }

  /** A message from the game service (or a gateway error), whether it came numbered or not. */
  function handle(message) {
    if (!message || typeof message !== 'object') {
      return;
    }
    if (typeof message.error === 'string') {
      state.lastError = message.error;
      logEvent('error: ' + message.error, true);
      return;
    }
    if (!Array.isArray(message.players)) {
      return;
    }
    if (message.action === 'load') {
      state.players = {};
      message.players.forEach(upsert);
      state.joined = true;
      state.reconnecting = false;
      reconnectAttempt = 0;
      if (pending && pending.kind === 'load') {
        measured();
      }
      setStatus('playing', 'ok');
      joinButton.textContent = 'Joined';
      logEvent('joined map ' + state.map + ' as ' + state.player);
      updatePanel();
      return;
    }
    for (const p of message.players) {
      const id = String(p.id);
      const known = Object.prototype.hasOwnProperty.call(state.players, id);
      upsert(p);
      if (!known && id !== state.player) {
        logEvent('player ' + id + ' joined');
      }
      if (id === state.player && String(p.action).startsWith('move_') && pending && pending.kind === 'move') {
        state.movesSeen++;
        measured();
      }
    }
    updatePanel();
  }

  function upsert(p) {
    if (!Array.isArray(p.position) || p.position.length < 2) {
      return;
    }
    const id = String(p.id);
    state.players[id] = { id, action: String(p.action), x: Number(p.position[0]), y: Number(p.position[1]) };
    if (!drawn[id]) {
      drawn[id] = { x: state.players[id].x, y: state.players[id].y };
    }
  }

  function measured() {
    const rtt = performance.now() - pending.at;
    pending = null;
    state.rttMs = rtt;
    state.rttSamples.push(rtt);
    if (state.rttSamples.length > RTT_SAMPLES) {
      state.rttSamples.shift();
    }
    state.rttAvgMs = state.rttSamples.reduce((a, b) => a + b, 0) / state.rttSamples.length;
  }

  function updatePanel() {
    const me = state.players[state.player];
    el('me').textContent = state.player || '–';
    el('map-id').textContent = state.map || '–';
    el('position').textContent = me ? '(' + me.x.toFixed(2) + ', ' + me.y.toFixed(2) + ')' : '–';
    const rtt = el('rtt');
    if (state.rttMs == null) {
      rtt.textContent = '–';
    } else {
      rtt.replaceChildren(span('now', state.rttMs.toFixed(1) + ' ms'), ' ',
        span('avg', '(avg ' + state.rttAvgMs.toFixed(1) + ' of ' + state.rttSamples.length + ')'));
    }
    el('count').textContent = state.joined ? String(Object.keys(state.players).length) : '–';
    el('resumes').textContent = state.resumable || state.resumes > 0 ? String(state.resumes) : '–';
    el('last-resume').textContent = state.lastResumeFailure !== null
      ? 'failed (' + state.lastResumeFailure + '), logged in afresh'
      : state.lastReplayed !== null ? 'recovered ' + plural(state.lastReplayed, 'message') : '–';
    dropButton.disabled = !state.joined;
    document.body.dataset.joined = String(state.joined);
    document.body.dataset.player = state.player || '';
    document.body.dataset.rttMs = state.rttMs == null ? '' : state.rttMs.toFixed(1);
    document.body.dataset.resumes = String(state.resumes);
    document.body.dataset.replayed = state.lastReplayed === null ? '' : String(state.lastReplayed);
  }

  function plural(n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's');
  }

  function span(className, text) {
    const s = document.createElement('span');
    s.className = className;
    s.textContent = text;
    return s;
  }

  function setStatus(text, kind) {
    const status = el('status');
    status.textContent = text;
    status.className = 'status' + (kind ? ' ' + kind : '');
  }

  function fail(text) {
    state.reconnecting = false;
    setStatus(text, 'bad');
    logEvent(text, true);
    joinButton.disabled = false;
    joinButton.textContent = 'Join again';
    updatePanel();
  }

  function logEvent(text, bad) {
    const item = document.createElement('li');
    item.textContent = new Date().toLocaleTimeString() + ' ' + text;
    if (bad) {
      item.className = 'bad';
    }
    const list = el('events');
    list.prepend(item);
    while (list.children.length > 8) {
      list.lastChild.remove();
    }
  }

  // drawing: the camera follows you; one grid line per step of 0.5, a stronger one every 5 units

  function frame(now) {
    const dt = Math.min(0.1, (now - (frame.last || now)) / 1000);
    frame.last = now;
    for (const id of Object.keys(drawn)) {
      const target = state.players[id];
      if (!target) {
        delete drawn[id];
        continue;
      }
      const k = Math.min(1, dt * 14);
      drawn[id].x += (target.x - drawn[id].x) * k;
      drawn[id].y += (target.y - drawn[id].y) * k;
    }
    draw();
    requestAnimationFrame(frame);
  }

  function draw() {
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = '#0b1222';
    ctx.fillRect(0, 0, w, h);
    const camera = drawn[state.player] || { x: 0, y: 0 };
    const sx = (x) => w / 2 + (x - camera.x) * PX_PER_UNIT;
    const sy = (y) => h / 2 - (y - camera.y) * PX_PER_UNIT;

    const left = camera.x - w / 2 / PX_PER_UNIT;
    const right = camera.x + w / 2 / PX_PER_UNIT;
    const bottom = camera.y - h / 2 / PX_PER_UNIT;
    const top = camera.y + h / 2 / PX_PER_UNIT;
    ctx.fillStyle = '#1f0f17'; // outside the map (|x| > 180, |y| > 85)
    if (left < -MAX_X) ctx.fillRect(0, 0, sx(-MAX_X), h);
    if (right > MAX_X) ctx.fillRect(sx(MAX_X), 0, w - sx(MAX_X), h);
    if (top > MAX_Y) ctx.fillRect(0, 0, w, sy(MAX_Y));
    if (bottom < -MAX_Y) ctx.fillRect(0, sy(-MAX_Y), w, h - sy(-MAX_Y));

    ctx.lineWidth = 1;
    ctx.font = '11px system-ui, sans-serif';
    for (let gx = Math.ceil(left * 2) / 2; gx <= right; gx += 0.5) {
      const major = Math.abs(gx % 5) < 1e-9;
      ctx.strokeStyle = major ? '#334155' : '#162033';
      line(sx(gx), 0, sx(gx), h);
      if (major) {
        ctx.fillStyle = '#475569';
        ctx.fillText(String(gx), sx(gx) + 3, h - 6);
      }
    }
    for (let gy = Math.ceil(bottom * 2) / 2; gy <= top; gy += 0.5) {
      const major = Math.abs(gy % 5) < 1e-9;
      ctx.strokeStyle = major ? '#334155' : '#162033';
      line(0, sy(gy), w, sy(gy));
      if (major) {
        ctx.fillStyle = '#475569';
        ctx.fillText(String(gy), 4, sy(gy) - 3);
      }
    }

    // players sharing a spot get their labels stacked
    const stacked = {};
    const ids = Object.keys(state.players).sort((a, b) => (a === state.player) - (b === state.player));
    for (const id of ids) {
      const p = drawn[id];
      if (!p) continue;
      const spot = state.players[id].x + ',' + state.players[id].y;
      const n = stacked[spot] = (stacked[spot] || 0) + 1;
      const mine = id === state.player;
      const x = sx(p.x);
      const y = sy(p.y);
      ctx.beginPath();
      ctx.arc(x, y, mine ? 11 : 9, 0, Math.PI * 2);
      ctx.fillStyle = mine ? '#f59e0b' : '#38bdf8';
      ctx.fill();
      if (mine) {
        ctx.lineWidth = 3;
        ctx.strokeStyle = '#fde68a';
        ctx.stroke();
        ctx.lineWidth = 1;
      }
      ctx.font = (mine ? 'bold ' : '') + '12px system-ui, sans-serif';
      ctx.fillStyle = mine ? '#fde68a' : '#bae6fd';
      ctx.textAlign = 'center';
      ctx.fillText(mine ? id + ' (you)' : id, x, y - 16 - (n - 1) * 14);
      ctx.textAlign = 'start';
    }

    if (!state.joined) {
      ctx.fillStyle = 'rgba(148, 163, 184, 0.9)';
      ctx.font = '16px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(state.reconnecting ? 'reconnecting…' : state.connected ? 'loading…' : 'press “Join as a guest”',
        w / 2, h / 2 - 30);
      ctx.textAlign = 'start';
    }
  }

  function line(x1, y1, x2, y2) {
    ctx.beginPath();
    ctx.moveTo(Math.round(x1) + 0.5, Math.round(y1) + 0.5);
    ctx.lineTo(Math.round(x2) + 0.5, Math.round(y2) + 0.5);
    ctx.stroke();
  }

  updatePanel();
  requestAnimationFrame(frame);
}());
