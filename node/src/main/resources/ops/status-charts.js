// Seed Gateway status page, charts: polls /admin/history every 5 s (Bearer token from sessionStorage, as
// status.js keeps it) and draws the cluster's or one node's last 20 minutes with uPlot (ops/vendor, in the jar).
// Events (node started/joined/left, drain, flush failures) are marked on every chart and listed below them.
(function () {
  'use strict';
  var KEY = 'seedOpsToken';
  var POLL_MS = 5000;
  var CHARTS = [
    { id: 'connections', title: 'Connections by transport', series: [
      ['connections.websocket', 'WebSocket'], ['connections.tcp', 'TCP'], ['connections.udp', 'UDP'],
      ['players', 'players (logged in)']] },
    { id: 'messages', title: 'Client messages per second', series: [
      ['messagesInPerSecond', 'in'], ['messagesOutPerSecond', 'out']] },
    { id: 'latency', title: 'Routing latency, ms', series: [['routingP50Ms', 'p50'], ['routingP99Ms', 'p99']] },
    { id: 'eventloop', title: 'Event-loop delay, ms (worst loop)', series: [['eventLoopDelayMs', 'delay']] },
    { id: 'backlog', title: 'Flush backlog, players', series: [['flushBacklog', 'backlog']] },
    { id: 'flush', title: 'Last flush duration, ms', series: [['flushDurationMs', 'duration']] },
    { id: 'errors', title: 'Errors per 5 s', series: [['redisErrors', 'Redis'], ['postgresErrors', 'PostgreSQL']] }
  ];
  var COLORS = ['#0969da', '#bf3989', '#1a7f37', '#9a6700'];
  var EVENT_COLORS = { started: '#1a7f37', joined: '#1a7f37', left: '#cf222e', drain: '#9a6700',
    'flush-failed': '#cf222e' };
  var plots = {};
  var shown = null;
  var events = [];
  var timer = null;

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function time(t) { return new Date(t * 1000).toLocaleTimeString(); }

  // Marks the events on a chart: a vertical line at each event's time, in the event's colour.
  function eventMarks() {
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx;
      var top = u.bbox.top;
      var height = u.bbox.height;
      events.forEach(function (e) {
        if (e.t < u.scales.x.min || e.t > u.scales.x.max) { return; }
        var x = Math.round(u.valToPos(e.t, 'x', true));
        ctx.save();
        ctx.strokeStyle = EVENT_COLORS[e.kind] || '#57606a';
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.restore();
      });
    }] } };
  }

  // The samples' time span, widened to the events of the last 20 minutes before the first sample (a node's start).
  function xRange(u, min, max) {
    if (min === null || max === null) {
      var now = Date.now() / 1000;
      return [now - 300, now];
    }
    var from = min;
    events.forEach(function (e) { if (e.t < from && e.t >= max - 1200) { from = e.t; } });
    return [from, max];
  }

  function options(chart, width) {
    return {
      width: width,
      height: 180,
      plugins: [eventMarks()],
      scales: { x: { time: true, range: xRange }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } } },
      axes: [{}, { size: 56 }],
      legend: { live: false },
      series: [{}].concat(chart.series.map(function (s, i) {
        return { label: s[1], stroke: COLORS[i % COLORS.length], width: 2, points: { show: false } };
      }))
    };
  }

  function draw(view) {
    var t = view.t || [];
    var series = view.series || {};
    events = view.events || [];
    var box = $('charts');
    CHARTS.forEach(function (chart) {
      var data = [t].concat(chart.series.map(function (s) { return series[s[0]] || []; }));
      var empty = data.slice(1).every(function (col) { return col.every(function (v) { return v === null; }); });
      var holder = box.querySelector('[data-chart="' + chart.id + '"]');
      if (!holder) {
        holder = el('div', { 'class': 'chart', 'data-chart': chart.id });
        holder.appendChild(el('h3', {}, chart.title));
        holder.appendChild(el('div', { 'class': 'plot' }));
        holder.appendChild(el('div', { 'class': 'note muted' }));
        box.appendChild(holder);
      }
      holder.setAttribute('data-points', String(t.length));
      holder.setAttribute('data-last', JSON.stringify(data.slice(1).map(function (col) {
        return col.length ? col[col.length - 1] : null;
      })));
      holder.querySelector('.note').textContent = empty ? 'no data: not measured here' : '';
      var width = Math.max(280, holder.clientWidth - 16);
      if (plots[chart.id]) {
        plots[chart.id].setData(data);
      } else {
        plots[chart.id] = new uPlot(options(chart, width), data, holder.querySelector('.plot'));
      }
    });
    var list = $('events');
    list.textContent = '';
    if (!events.length) { list.appendChild(el('li', { 'class': 'empty' }, 'no events in this time')); }
    events.slice().reverse().forEach(function (e) {
      var li = el('li', { 'data-kind': e.kind });
      li.appendChild(el('span', { 'class': 'mark' }));
      li.lastChild.style.background = EVENT_COLORS[e.kind] || '#57606a';
      li.appendChild(document.createTextNode(time(e.t) + '  ' + (e.node || e.member) + '  ' + e.text));
      list.appendChild(li);
    });
  }

  function scopes(data) {
    var select = $('scope');
    var wanted = select.value || 'cluster';
    var names = ['cluster'].concat((data.nodes || []).filter(function (n) { return n.answered; })
      .map(function (n) { return n.node; }));
    var current = Array.prototype.map.call(select.options, function (o) { return o.value; });
    if (current.join('\n') !== names.join('\n')) {
      select.textContent = '';
      names.forEach(function (n) {
        select.appendChild(el('option', { value: n }, n === 'cluster' ? 'cluster (summed; latencies: worst node)'
          : 'node ' + n));
      });
    }
    select.value = names.indexOf(wanted) >= 0 ? wanted : 'cluster';
    return select.value;
  }

  function render(data) {
    var scope = scopes(data);
    var view = scope === 'cluster' ? data.cluster
      : (data.nodes || []).filter(function (n) { return n.node === scope; })[0];
    if (shown !== scope) {
      Object.keys(plots).forEach(function (k) { plots[k].destroy(); });
      plots = {};
      shown = scope;
    }
    $('charts').setAttribute('data-scope', scope);
    draw(view || {});
    var silent = (data.nodes || []).filter(function (n) { return !n.answered; }).length;
    $('charts-meta').textContent = (view && view.t ? view.t.length : 0) + ' samples'
      + (silent ? ' · ' + silent + ' node(s) not answering, left out' : '');
  }

  function poll() {
    clearTimeout(timer);
    var token = sessionStorage.getItem(KEY);
    if (!token) {
      timer = setTimeout(poll, POLL_MS);
      return;
    }
    fetch('/admin/history', { headers: { 'Authorization': 'Bearer ' + token }, cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function (e) { $('charts-meta').textContent = 'history not loaded: ' + e.message; })
      .then(function () { timer = setTimeout(poll, POLL_MS); });
  }

  $('scope').addEventListener('change', poll);
  window.addEventListener('resize', function () {
    Object.keys(plots).forEach(function (k) {
      var holder = $('charts').querySelector('[data-chart="' + k + '"]');
      plots[k].setSize({ width: Math.max(280, holder.clientWidth - 16), height: 180 });
    });
  });
  poll();
})();
