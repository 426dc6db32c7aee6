// The seed gateway's browser demo: join as a guest, see the other players on the map, move with the arrow
// keys, watch the round trip. It speaks the 2021 client protocol over one WebSocket to the node that served
// this page (the JWT in the `token` query parameter), and needs a game service (the example one) behind it.
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
  };
  window.demoState = state;

  const el = (id) => document.getElementById(id);
  const canvas = el('map');
  const ctx = canvas.getContext('2d');
  const joinButton = el('join');
  let ws = null;
  let pending = null; // {kind: 'load'|'move', at}
  let lastSentAt = -Infinity;
  let heldDirection = null;
  let queuedDirection = null;
  const drawn = {}; // id -> {x, y}, eased towards the real position

  joinButton.addEventListener('click', join);
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
    joinButton.disabled = true;
    joinButton.textContent = 'Joining…';
    setStatus('signing in…');
    const map = new URLSearchParams(location.search).get('map');
    let guest;
    try {
      const response = await fetch('/dev/guest', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(map ? { map } : {}),
      });
      guest = await response.json();
      if (!response.ok) {
        throw new Error(guest.error || 'HTTP ' + response.status);
      }
    } catch (e) {
      fail('guest sign-in failed: ' + e.message);
      return;
    }
    Object.assign(state, { player: String(guest.player), map: guest.map, ws: guest.ws, players: {}, joined: false,
      lastError: null, closeCode: null });
    connect(guest);
  }

  function connect(guest) {
    setStatus('connecting…');
    const url = guest.ws + (guest.ws.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(guest.token);
    const socket = new WebSocket(url);
    ws = socket;
    socket.onopen = () => {
      state.connected = true;
      setStatus('loading the map…');
      send({ action: 'api/load' }, 'load');
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        logEvent('unreadable message: ' + String(event.data).slice(0, 80), true);
        return;
      }
      receive(message);
    };
    socket.onclose = (event) => {
      if (ws !== socket) {
        return;
      }
      state.connected = false;
      state.joined = false;
      state.closeCode = event.code;
      pending = null;
      fail('disconnected' + (state.lastError ? ': ' + state.lastError : ' (code ' + event.code + ')'));
    };
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

  function receive(message) {
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
    document.body.dataset.joined = String(state.joined);
    document.body.dataset.player = state.player || '';
    document.body.dataset.rttMs = state.rttMs == null ? '' : state.rttMs.toFixed(1);
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
      ctx.fillText(state.connected ? 'loading…' : 'press “Join as a guest”', w / 2, h / 2 - 30);
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
