// Seed Gateway status page: polls /admin/nodes every 2 s with the admin token (Bearer), kept in sessionStorage.
(function () {
  'use strict';
  var KEY = 'seedOpsToken';
  var POLL_MS = 2000;
  var timer = null;

  var params = new URLSearchParams(window.location.search);
  if (params.has('token')) {
    sessionStorage.setItem(KEY, params.get('token'));
    params.delete('token');
    var rest = params.toString();
    history.replaceState(null, '', window.location.pathname + (rest ? '?' + rest : ''));
  }

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function fine(v) { return v === 'ok' || v === 'not run here' || v === 'not clustered'; }

  function checkCell(value) {
    var td = el('td', { 'class': value === undefined ? '' : (fine(value) ? 'ok' : 'bad') }, value === undefined ? '–' : value);
    td.title = value || '';
    return td;
  }

  function connections(node) {
    var c = node.connections || {};
    return Object.keys(c).reduce(function (sum, k) { return sum + (c[k] || 0); }, 0);
  }

  function uptime(s) {
    if (s === undefined) { return '–'; }
    if (s < 120) { return s + ' s'; }
    if (s < 7200) { return Math.round(s / 60) + ' min'; }
    return (s / 3600).toFixed(1) + ' h';
  }

  function problem(text) {
    var p = $('problem');
    p.hidden = !text;
    p.textContent = text || '';
  }

  function summary(nodes, key) {
    var answered = nodes.filter(function (n) { return n.answered; });
    if (!answered.length) { return ['–', '']; }
    var bad = answered.filter(function (n) { return !fine((n.checks || {})[key]); });
    var run = answered.filter(function (n) { return (n.checks || {})[key] !== 'not run here'; });
    if (!run.length) { return ['not run', '']; }
    return bad.length ? ['down on ' + bad.length, 'bad'] : ['ok', 'ok'];
  }

  function render(data) {
    var nodes = data.nodes || [];
    var tbody = $('nodes').querySelector('tbody');
    tbody.textContent = '';
    var total = 0;
    var transports = {};
    nodes.forEach(function (n) {
      var tr = el('tr', { 'data-node': n.node || n.member || '' });
      if (!n.answered) {
        tr.className = 'silent';
        tr.appendChild(el('td', {}, n.node || n.member));
        var td = el('td', { colspan: '10', 'class': 'bad' }, 'not answering: ' + (n.error || 'no reply'));
        tr.appendChild(td);
        tbody.appendChild(tr);
        return;
      }
      var count = connections(n);
      total += count;
      Object.keys(n.connections || {}).forEach(function (k) { transports[k] = (transports[k] || 0) + n.connections[k]; });
      var checks = n.checks || {};
      tr.appendChild(el('td', { 'class': 'node-id', title: 'member ' + (n.member || '') }, n.node));
      tr.appendChild(el('td', {}, (n.roles || []).join(', ')));
      tr.appendChild(el('td', { 'class': n.draining ? 'warn' : 'ok' }, n.draining ? checks.node : 'serving'));
      tr.appendChild(el('td', { 'class': 'num connections', 'data-connections': String(count) }, count));
      tr.appendChild(el('td', {}, Object.keys(n.connections || {}).map(function (k) { return k + ' ' + n.connections[k]; }).join(' · ')));
      tr.appendChild(el('td', { 'class': 'num' }, (n.messagesIn || 0) + ' / ' + (n.messagesOut || 0)));
      tr.appendChild(checkCell(checks.redis));
      tr.appendChild(checkCell(checks.postgres));
      tr.appendChild(checkCell(checks.cluster));
      tr.appendChild(el('td', { 'class': 'num' }, n.flush && n.flush.backlog !== undefined ? n.flush.backlog : '–'));
      tr.appendChild(el('td', { 'class': 'num' }, uptime(n.uptimeSeconds)));
      tbody.appendChild(tr);
    });
    $('sum-nodes').textContent = nodes.filter(function (n) { return n.answered; }).length + ' / ' + nodes.length;
    $('sum-connections').textContent = total;
    $('sum-transports').textContent = Object.keys(transports).map(function (k) { return k + ' ' + transports[k]; }).join(' · ');
    [['redis', 'sum-redis'], ['postgres', 'sum-postgres']].forEach(function (pair) {
      var s = summary(nodes, pair[0]);
      var e = $(pair[1]);
      e.textContent = s[0];
      e.className = 'value ' + s[1];
    });

    var errors = [];
    nodes.forEach(function (n) {
      (n.recentErrors || []).forEach(function (line) { errors.push({ node: n.node, line: line }); });
    });
    errors.sort(function (a, b) { return a.line.at < b.line.at ? 1 : -1; });
    var list = $('errors');
    list.textContent = '';
    if (!errors.length) {
      list.appendChild(el('li', { 'class': 'empty' }, 'none'));
    }
    errors.slice(0, 30).forEach(function (e) {
      var li = el('li', { 'class': 'level-' + e.line.level });
      li.textContent = e.line.at + '  ' + e.node + '  ' + e.line.level + '  ' + e.line.logger.replace(/^.*\./, '') + ': ' + e.line.message;
      list.appendChild(li);
    });
    $('meta').textContent = 'updated ' + new Date().toLocaleTimeString() + ' · answered by ' + data.answeredBy
      + (data.clustered ? ' · clustered' : ' · single node');
  }

  function poll() {
    clearTimeout(timer);
    var token = sessionStorage.getItem(KEY);
    if (!token) {
      problem('Enter the admin token (ops.adminToken) to see the nodes.');
      return;
    }
    fetch('/admin/nodes', { headers: { 'Authorization': 'Bearer ' + token }, cache: 'no-store' })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
      })
      .then(function (res) {
        if (res.status === 200) {
          problem('');
          render(res.body);
        } else if (res.status === 401) {
          problem('Token refused: ' + (res.body.error || 'unauthorized'));
        } else {
          problem('The node answered ' + res.status + ': ' + (res.body.error || ''));
        }
      })
      .catch(function (e) { problem('The node does not answer: ' + e.message); })
      .then(function () { timer = setTimeout(poll, POLL_MS); });
  }

  $('token-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var t = $('token').value.trim();
    if (t) { sessionStorage.setItem(KEY, t); }
    $('token').value = '';
    poll();
  });
  $('forget').addEventListener('click', function () {
    sessionStorage.removeItem(KEY);
    poll();
  });
  poll();
})();
