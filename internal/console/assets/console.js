// The sandbox console. Plain JavaScript, no framework, no build step: it talks only to the
// admin API (openapi/sandbox.yaml) of the sandbox that serves it.
'use strict';
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const DEFAULT_TENANTS = ['ACME_BANK', 'sandbox_client', 'sandbox_tenant'];
  const VIEWS = ['journal', 'state', 'scenarios', 'clock', 'coverage'];
  const POLL_MS = 1000;

  // el builds an element; text always goes in as text, never as HTML.
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === undefined || kid === null || kid === false) continue;
      e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return e;
  }

  const ui = {
    tenant: '',
    view: 'journal',
    catalogue: null, // GET /__sandbox/scenarios
    journal: { newest: -1, entries: [], shown: [], expanded: new Set() },
    stateApi: 'dcms',
    pages: {}, // pager key → {cursors: [after of each page so far]}
    busy: {},
  };

  // --- the admin API -------------------------------------------------------------------
  // A hosted sandbox wants the operator's or the tenant's admin token on every call: the
  // user types it in; it stays in this tab (sessionStorage), never in the page or the URL.
  const TOKEN_KEY = 'sandbox.adminToken';
  function adminToken() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (_) { return ''; }
  }
  function setAdminToken(token) {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (_) { /* private mode: no token is kept */ }
    showToken();
  }
  function showToken() {
    $('#admin-token').placeholder = adminToken() ? 'set for this tab' : 'none';
  }
  async function call(method, path, body, raw) {
    const opts = { method, headers: {} };
    const token = adminToken();
    if (token) opts.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const resp = await fetch(path, opts);
    if (!resp.ok) {
      let msg = `${method} ${path}: HTTP ${resp.status}`;
      try {
        const e = await resp.json();
        if (e && e.error && e.error.message) msg = e.error.message;
      } catch (_) { /* not JSON */ }
      if (resp.status === 401) msg = `${msg} (enter the admin token at the top)`;
      const err = new Error(msg);
      err.status = resp.status;
      throw err;
    }
    if (raw) return resp;
    if (resp.status === 204) return null;
    return resp.json();
  }
  const enc = encodeURIComponent;
  const tq = () => `tenant=${enc(ui.tenant)}`;

  let statusTimer;
  function say(msg, isError) {
    const s = $('#status');
    s.textContent = msg;
    s.classList.toggle('error', !!isError);
    clearTimeout(statusTimer);
    if (msg) statusTimer = setTimeout(() => { s.textContent = ''; }, isError ? 12000 : 6000);
  }
  // guard runs an async task, reporting its failure instead of leaving it unhandled; a
  // task already running under the same key is not started twice.
  async function guard(key, fn) {
    if (key && ui.busy[key]) return;
    if (key) ui.busy[key] = true;
    try {
      await fn();
    } catch (e) {
      say(e.message || String(e), true);
    } finally {
      if (key) ui.busy[key] = false;
    }
  }

  function download(name, blob) {
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // --- tenant and views -----------------------------------------------------------------
  function initialTenant() {
    const q = new URLSearchParams(location.search).get('tenant');
    if (q) return q;
    try { return localStorage.getItem('sandbox.tenant') || DEFAULT_TENANTS[0]; } catch (_) { return DEFAULT_TENANTS[0]; }
  }

  function setTenant(t, load) {
    ui.tenant = t;
    $('#tenant').value = t;
    try { localStorage.setItem('sandbox.tenant', t); } catch (_) { /* private mode */ }
    const u = new URL(location.href);
    u.searchParams.set('tenant', t);
    history.replaceState(null, '', u);
    document.title = `${t} · console · partner sandbox`;
    ui.journal = { newest: -1, entries: [], shown: [], expanded: new Set() };
    ui.pages = {};
    refreshClock();
    if (load) loadView(true);
  }

  async function loadTenants() {
    const list = $('#tenant-list');
    const names = new Set(DEFAULT_TENANTS);
    let got = { tenants: [] };
    try {
      got = await call('GET', '/__sandbox/tenants');
    } catch (e) {
      if (e.status !== 403) throw e; // a tenant's token may not list the tenants
    }
    for (const t of got.tenants) names.add(t.tenant);
    list.replaceChildren(...[...names].sort().map((n) => el('option', { value: n })));
    return got.tenants;
  }

  function showView(name) {
    if (!VIEWS.includes(name)) name = 'journal';
    ui.view = name;
    for (const v of VIEWS) $(`#view-${v}`).hidden = v !== name;
    for (const a of $$('nav.views a')) {
      if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    loadView(true);
  }

  function loadView(force) {
    switch (ui.view) {
      case 'journal': return guard('journal', () => loadJournal(force));
      case 'state': return guard('state', loadState);
      case 'scenarios': return guard('scenarios', loadScenarios);
      case 'clock': return guard('clock', loadClock);
      case 'coverage': return guard('coverage', loadCoverage);
    }
  }

  async function refreshClock() {
    await guard('header-clock', async () => {
      const c = await call('GET', `/__sandbox/clock?${tq()}`);
      const t = $('#header-clock');
      t.dateTime = c.now;
      t.textContent = shortTime(c.now, true) + (c.offset !== '0s' ? ` (${c.offset} ahead)` : '');
    });
  }

  // shortTime shows an RFC 3339 time as the console lists it (UTC).
  function shortTime(s, withDate) {
    const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d{1,3})?/.exec(s || '');
    if (!m) return s || '';
    return (withDate ? `${m[1]} ` : '') + m[2] + (withDate ? ' UTC' : (m[3] || '.000').padEnd(4, '0'));
  }

  // --- catalogue ------------------------------------------------------------------------
  async function catalogue() {
    if (!ui.catalogue) {
      const c = await call('GET', '/__sandbox/scenarios');
      ui.catalogue = c.operations;
      const outcomes = new Set();
      for (const op of ui.catalogue) for (const o of op.outcomes) outcomes.add(o.name);
      $('#outcome-list').replaceChildren(...[...outcomes].sort().map((n) => el('option', { value: n })));
      fillOperations($('#f-op'), true);
      fillOperations($('#rule-operation'), false);
      fillRuleOutcomes();
    }
    return ui.catalogue;
  }

  function fillOperations(select, withAll, onlyApi) {
    const keep = select.value;
    const groups = {};
    for (const op of ui.catalogue) {
      if (onlyApi && op.api !== onlyApi) continue;
      (groups[op.api] = groups[op.api] || []).push(op);
    }
    const kids = withAll ? [el('option', { value: '' }, 'all')] : [];
    for (const [apiName, ops] of Object.entries(groups)) {
      kids.push(el('optgroup', { label: apiName }, ops.map((op) => el('option', { value: op.operationId }, op.operationId))));
    }
    select.replaceChildren(...kids);
    if ([...select.options].some((o) => o.value === keep)) select.value = keep;
  }

  // --- journal --------------------------------------------------------------------------
  function journalFilters() {
    return {
      api: $('#f-api').value,
      op: $('#f-op').value,
      status: $('#f-status').value.trim(),
      outcome: $('#f-outcome').value.trim(),
    };
  }

  async function loadJournal(force) {
    await catalogue();
    const probe = await call('GET', `/__sandbox/journal?${tq()}&limit=1`);
    const newest = probe.entries.length ? probe.entries[0].id : 0;
    if (!force && newest === ui.journal.newest) return;
    const f = journalFilters();
    let q = `${tq()}&limit=500`;
    if (f.api) q += `&api=${enc(f.api)}`;
    if (f.op) q += `&operationId=${enc(f.op)}`;
    const j = await call('GET', `/__sandbox/journal?${q}`);
    ui.journal.newest = newest;
    ui.journal.entries = j.entries;
    renderJournal();
  }

  function renderJournal() {
    const f = journalFilters();
    const shown = ui.journal.entries.filter((e) => (!f.status || String(e.status) === f.status) && (!f.outcome || e.outcome === f.outcome));
    ui.journal.shown = shown;
    const rows = [];
    for (const e of shown) {
      const open = ui.journal.expanded.has(e.id);
      const detailId = `call-${e.id}`;
      const by = e.decidedBy || 'state';
      rows.push(el('tr', { class: 'call', 'data-id': e.id, 'data-operation': e.operationId, 'data-outcome': e.outcome },
        el('td', {}, el('button', {
          type: 'button', class: 'expand', 'aria-expanded': String(open), 'aria-controls': detailId,
          'aria-label': `${open ? 'Hide' : 'Show'} call ${e.id}, ${e.operationId}`,
          onclick: () => { toggleCall(e.id); },
        }, open ? '▾' : '▸')),
        el('td', { title: e.time }, el('time', { datetime: e.time }, shortTime(e.time))),
        el('td', {}, e.api),
        el('td', {}, e.operationId),
        el('td', {}, el('span', { class: `badge s${String(e.status).charAt(0)}` }, e.status || 'none')),
        el('td', {}, e.outcome),
        el('td', {}, by === 'state' ? 'state' : el('span', { class: 'badge forced' }, by + (e.rule ? ` ${e.rule}` : ''))),
        el('td', { class: 'num' }, e.durationMs.toFixed(1))));
      if (open) rows.push(callDetail(e, detailId));
    }
    $('#journal-rows').replaceChildren(...rows);
    $('#journal-empty').hidden = shown.length > 0;
  }

  function toggleCall(id) {
    const x = ui.journal.expanded;
    if (x.has(id)) x.delete(id); else x.add(id);
    renderJournal();
    const b = $(`tr.call[data-id="${id}"] button.expand`);
    if (b) b.focus();
  }

  function pretty(body) {
    if (!body) return '(empty)';
    try { return JSON.stringify(JSON.parse(body), null, 2); } catch (_) { return body; }
  }

  function callDetail(e, id) {
    const facts = [
      ['Call', `${e.method} ${e.path}${e.query ? `?${e.query}` : ''}`],
      ['Outcome', `${e.outcome} (HTTP ${e.status || 'no answer'})`],
      ['Decided by', (e.decidedBy || 'state') + (e.rule ? `: armed rule ${e.rule}` : '') + (e.scenario ? `: X-Sandbox-Scenario ${e.scenario}` : '') + (e.fault ? `: X-Sandbox-Fault ${e.fault}` : '')],
    ];
    if (e.delay) facts.push(['Delay', e.delay]);
    if (e.contentType) facts.push(['Content-Type', e.contentType]);
    return el('tr', { class: 'detail', id },
      el('td', { colspan: 8 },
        el('dl', { class: 'facts' }, facts.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
        el('div', { class: 'detail-grid' },
          el('div', {}, el('h4', {}, 'Request (masked)'), el('pre', { class: 'request', tabindex: 0 }, pretty(e.request))),
          el('div', {}, el('h4', {}, 'Response (masked)'), el('pre', { class: 'response', tabindex: 0 }, pretty(e.response))))));
  }

  async function exportCalls() {
    const ids = ui.journal.shown.map((e) => e.id);
    if (!ids.length) { say('No calls to export: nothing matches the filters.', true); return; }
    const resp = await call('POST', '/__sandbox/journal/export/calls', { ids, name: `${ui.tenant} session` }, true);
    download(`${ui.tenant}-session.yaml`, await resp.blob());
    say(`Exported ${ids.length} call(s) as a scenario file: replay it with sandbox replay FILE --target URL.`);
  }

  // --- state ----------------------------------------------------------------------------
  const tenantPath = (rest) => `/__sandbox/tenants/${enc(ui.tenant)}/${rest}`;

  function kitCell(k) {
    const moves = k.moves.length ? k.moves.map((m) => `${m.operation} → ${m.to}${m.newKit ? ' (+ new kit)' : ''}`).join(', ') : 'none (closed)';
    return el('div', { class: 'kit', 'data-kit': k.kitNo },
      el('code', {}, k.kitNo), ' ', el('code', {}, k.maskedPan), ` ${k.cardType} `,
      el('span', { class: 'badge' }, k.cardStatus), k.pinSet ? ' PIN set' : '',
      k.replaces ? ` replaces ${k.replaces}` : '',
      el('div', { class: 'moves' }, `allowed: ${moves}`),
      k.shipment ? el('div', { class: 'moves' }, `shipment ${k.shipment.status}, waybill ${k.shipment.waybillNo} to ${k.shipment.destination}, picked up ${k.shipment.pickUpDate}, due ${k.shipment.expectedDeliveryDate}`) : null);
  }

  const rowsOf = {
    'dcms-customers': (c) => el('tr', { 'data-id': c.entityId }, el('td', {}, el('code', {}, c.entityId)), el('td', {}, c.name), el('td', {}, c.mobiles.join(', ')),
      el('td', {}, c.kits.length ? c.kits.map(kitCell) : 'no kit')),
    'dcms-orders': (o) => el('tr', {}, el('td', {}, el('code', {}, o.orderId)), el('td', {}, el('span', { class: 'badge' }, o.status)), el('td', {}, o.processStartTime), el('td', {}, o.branchId), el('td', { class: 'num' }, o.quantity)),
    'dmt-customers': (c) => el('tr', { 'data-id': c.mobileNumber }, el('td', {}, el('code', {}, c.mobileNumber)), el('td', {}, c.name),
      el('td', {}, el('span', { class: 'badge' }, `code ${c.statusCode}`), ` ${c.state}`), el('td', {}, shortTime(c.createdAt, true)),
      el('td', {}, c.otps.length ? c.otps.map((o) => el('div', {}, `type ${o.otpType}: `, el('code', {}, o.otp), o.used ? ' used' : (o.expired ? ' expired' : ` until ${shortTime(o.expiresAt)}`))) : 'none')),
    'dmt-otps': (o) => el('tr', {}, el('td', {}, el('code', {}, o.mobileNumber)), el('td', {}, o.otpType), el('td', {}, el('code', {}, o.otp)), el('td', {}, shortTime(o.sentAt, true)),
      el('td', {}, shortTime(o.expiresAt, true), o.expired ? ' (expired)' : ''), el('td', { class: 'num' }, o.sends), el('td', {}, o.used ? 'yes' : 'no')),
    'profile-submissions': (s) => el('tr', { 'data-id': s.submissionId }, el('td', {}, el('code', {}, s.submissionId)),
      el('td', {}, s.name, el('div', { class: 'moves' }, `${s.userType}, ${s.email}`)),
      el('td', {}, el('span', { class: 'badge' }, s.status), s.riskLevel ? ` risk ${s.riskLevel}` : '',
        el('div', { class: 'moves' }, `review may move it to: ${s.reviews.join(', ') || 'nothing'}`),
        s.reviewDueAt ? el('div', { class: 'moves' }, `automatic review due ${shortTime(s.reviewDueAt, true)}`) : null),
      el('td', { class: 'num' }, `${s.progress}%`),
      el('td', {}, s.documents.length ? s.documents.map((d) => el('div', {}, `${d.fileName} (${d.documentTypeId}, ${d.contentType}, ${d.size} B)`)) : 'none')),
  };

  const pageDefs = {
    'dcms-customers': { path: 'dcms/customers', items: (p) => p.customers, generated: 'dcms' },
    'dcms-orders': { path: 'dcms/orders', items: (p) => p.orders },
    'dmt-customers': { path: 'dmt/customers', items: (p) => p.customers, generated: 'dmt' },
    'dmt-otps': { path: 'dmt/otps', items: (p) => p.otps },
    'profile-submissions': { path: 'profile/submissions', items: (p) => p.submissions },
  };
  const PAGE_SIZE = 20;

  async function loadPage(key) {
    const def = pageDefs[key];
    const pg = ui.pages[key] || (ui.pages[key] = { cursors: [''] });
    const after = pg.cursors[pg.cursors.length - 1];
    const rows = $(`[data-rows="${key}"]`);
    let p;
    try {
      p = await call('GET', tenantPath(`${def.path}?limit=${PAGE_SIZE}${after ? `&after=${enc(after)}` : ''}`));
    } catch (e) {
      if (e.status !== 404) throw e;
      rows.replaceChildren(el('tr', {}, el('td', { colspan: 8, class: 'empty' }, e.message)));
      $(`[data-pager="${key}"]`).replaceChildren();
      return;
    }
    const items = def.items(p);
    rows.replaceChildren(...(items.length ? items.map(rowsOf[key]) : [el('tr', {}, el('td', { colspan: 8, class: 'empty' }, 'None.'))]));
    if (def.generated) {
      const g = p.generated;
      $(`[data-generated="${def.generated}"]`).textContent = g
        ? `Besides these, ${g.count.toLocaleString('en')} generated customers, ${g.first} to ${g.last}, are made on demand and not listed: look one up.`
        : '';
    }
    const n = pg.cursors.length;
    $(`[data-pager="${key}"]`).replaceChildren(
      el('button', { type: 'button', disabled: n === 1, onclick: () => { pg.cursors = ['']; guard(key, () => loadPage(key)); } }, 'First page'),
      el('button', { type: 'button', disabled: n === 1, onclick: () => { pg.cursors.pop(); guard(key, () => loadPage(key)); } }, 'Previous'),
      el('span', {}, `page ${n}`),
      el('button', { type: 'button', disabled: !p.next, onclick: () => { pg.cursors.push(p.next); guard(key, () => loadPage(key)); } }, 'Next page'));
  }

  async function loadDeliveries() {
    const d = await call('GET', tenantPath('webhook/deliveries'));
    const rows = d.deliveries.map((x) => el('tr', {}, el('td', {}, x.eventType, el('div', { class: 'moves' }, x.eventId)), el('td', {}, x.url),
      el('td', {}, el('span', { class: 'badge' }, x.status)), el('td', { class: 'num' }, x.attempts),
      el('td', {}, x.lastStatusCode ? `HTTP ${x.lastStatusCode}` : '', x.lastError ? ` ${x.lastError}` : ''), el('td', {}, shortTime(x.createdAt, true))));
    $('[data-rows="profile-deliveries"]').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'No webhook deliveries.'))]));
  }

  async function loadState() {
    for (const b of $$('.subtabs button')) b.setAttribute('aria-pressed', String(b.dataset.api === ui.stateApi));
    for (const a of ['dcms', 'dmt', 'profile']) $(`#state-${a}`).hidden = a !== ui.stateApi;
    const keys = Object.keys(pageDefs).filter((k) => k.startsWith(`${ui.stateApi}-`));
    await Promise.all(keys.map((k) => loadPage(k)));
    if (ui.stateApi === 'profile') await loadDeliveries();
  }

  const lookups = {
    dcms: { path: (id) => `dcms/customers/${enc(id)}`, row: rowsOf['dcms-customers'], head: ['Entity ID', 'Name', 'Mobile', 'Kits'] },
    dmt: { path: (id) => `dmt/customers/${enc(id)}`, row: rowsOf['dmt-customers'], head: ['Mobile', 'Name', 'State', 'Onboarded', 'Last OTPs'] },
    profile: { path: (id) => `profile/submissions/${enc(id)}`, row: rowsOf['profile-submissions'], head: ['Submission', 'Customer', 'Review', 'Progress', 'Documents'] },
  };

  async function lookup(form) {
    const kind = form.dataset.lookup;
    const id = form.elements.id.value.trim();
    const out = $(`[data-lookup-result="${kind}"]`);
    try {
      const v = await call('GET', tenantPath(lookups[kind].path(id)));
      out.replaceChildren(el('table', { class: 'state lookup-result' },
        el('caption', {}, `Looked up ${id}`),
        el('thead', {}, el('tr', {}, lookups[kind].head.map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, lookups[kind].row(v))));
    } catch (e) {
      out.replaceChildren(el('p', { class: 'empty' }, e.message));
    }
  }

  // --- scenarios ------------------------------------------------------------------------
  function fillRuleOutcomes() {
    const op = ui.catalogue.find((o) => o.operationId === $('#rule-operation').value);
    $('#rule-outcome').replaceChildren(...(op ? op.outcomes.map((o) => el('option', { value: o.name }, `${o.name} (${o.status}${o.code ? ` ${o.code}` : ''})`)) : []));
  }

  async function loadScenarios() {
    const cat = await catalogue();
    await loadRules();
    const box = $('#catalogue');
    if (box.childElementCount) return;
    box.replaceChildren(...cat.map((op) => el('details', { class: 'op', 'data-operation': op.operationId },
      el('summary', {}, el('b', {}, op.operationId), ` ${op.api} · ${op.method} ${op.path} · ${op.outcomes.length} outcomes`),
      el('table', {}, el('thead', {}, el('tr', {}, ['Outcome', 'Status', 'Code', 'Message', 'Magic values'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, op.outcomes.map((o) => el('tr', {}, el('td', {}, el('code', {}, o.name)), el('td', {}, o.status), el('td', {}, o.code),
          el('td', {}, o.message), el('td', {}, o.magic.map((m) => `${m.field}=${m.value}`).join(', ')))))))));
  }

  async function loadRules() {
    const r = await call('GET', '/__sandbox/rules');
    const mine = r.rules.filter((x) => !x.tenant || x.tenant === ui.tenant);
    $('#rule-rows').replaceChildren(...mine.map((x) => el('tr', { 'data-rule': x.id },
      el('td', {}, x.id, x.tenant ? '' : el('div', { class: 'moves' }, 'every tenant')),
      el('td', {}, x.operationId),
      el('td', {}, [x.outcome, x.fault && `fault ${x.fault}`, x.delay && `delay ${x.delay}`].filter(Boolean).join(', ')),
      el('td', {}, x.match ? Object.entries(x.match).map(([k, v]) => `${k}=${v}`).join(', ') : ''),
      el('td', { class: 'num' }, x.fired),
      el('td', { class: 'num' }, x.remaining < 0 ? '∞' : x.remaining),
      el('td', {}, el('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${x.id}`, onclick: () => guard('', () => removeRule(x.id)) }, 'Remove')))));
    $('#rules-empty').hidden = mine.length > 0;
  }

  async function armRule(form) {
    const body = { operationId: form.elements.operationId.value, outcome: form.elements.outcome.value, tenant: ui.tenant };
    const times = form.elements.times.value.trim();
    if (times !== '') body.times = Number(times);
    const match = {};
    for (const line of form.elements.match.value.split('\n')) {
      if (!line.trim()) continue;
      const i = line.indexOf('=');
      if (i < 1) throw new Error(`Match: "${line}" is not dotted.path=value`);
      match[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    if (Object.keys(match).length) body.match = match;
    const r = await call('POST', '/__sandbox/rules', body);
    say(`Armed ${r.id}: ${r.operationId} of ${ui.tenant} answers ${r.outcome} ${r.times ? `for the next ${r.times} call(s)` : 'until removed'}.`);
    await loadRules();
  }

  async function removeRule(id) {
    await call('DELETE', `/__sandbox/rules/${enc(id)}`);
    say(`Removed ${id}.`);
    await loadRules();
  }

  // --- clock, reset, snapshot -----------------------------------------------------------
  function showClock(c) {
    const t = $('#clock-now');
    t.dateTime = c.now;
    t.textContent = c.now;
    $('#clock-offset').textContent = c.offset;
    $('#clock-own').textContent = c.own ? 'yes' : 'no (follows the shared clock)';
  }

  async function loadClock() {
    showClock(await call('GET', `/__sandbox/clock?${tq()}`));
  }

  async function moveClock(change) {
    const c = await call('POST', `/__sandbox/clock?${tq()}`, change);
    showClock(c);
    await refreshClock();
    say(`${ui.tenant}'s clock is now ${c.now} (offset ${c.offset}).`);
  }

  async function resetTenant() {
    if (!window.confirm(`Reset ${ui.tenant}? What it changed, its rules, its clock and its coverage are dropped.`)) return;
    await call('POST', `/__sandbox/reset?${tq()}`);
    say(`${ui.tenant} was reset.`);
    await refreshClock();
    await loadClock();
  }

  async function downloadSnapshot() {
    const resp = await call('GET', `/__sandbox/snapshot?${tq()}`, undefined, true);
    download(`snapshot-${ui.tenant}.json`, await resp.blob());
  }

  async function uploadSnapshot() {
    const f = $('#snapshot-file').files[0];
    if (!f) throw new Error('Choose a snapshot file first.');
    const r = await call('PUT', `/__sandbox/snapshot?${tq()}`, await f.text());
    say(`Restored ${r.records} record(s) into ${r.tenant}.`);
  }

  // --- coverage -------------------------------------------------------------------------
  async function loadCoverage() {
    const only = $('#coverage-api').value;
    const c = await call('GET', `/__sandbox/coverage?${tq()}${only ? `&api=${enc(only)}` : ''}`);
    const pct = c.total ? (100 * c.covered) / c.total : 100;
    $('#coverage-percent').textContent = `${pct.toFixed(1)}%`;
    $('#coverage-count').textContent = `of documented outcomes received: ${c.covered} of ${c.total}`;
    const called = $('#coverage-called').checked;
    const ops = c.operations.filter((op) => !called || op.outcomes.some((o) => o.count > 0));
    $('#coverage-matrix tbody').replaceChildren(...ops.map((op) => el('tr', { 'data-operation': op.operationId },
      el('th', { scope: 'row' }, op.operationId, el('div', { class: 'moves' }, op.api)),
      el('td', {}, el('div', { class: 'cells' }, op.outcomes.map((o) => el('span', {
        class: `cell ${o.count ? 'received' : 'never'}`, 'data-operation': op.operationId, 'data-outcome': o.name, 'data-count': o.count,
      }, el('b', {}, o.name), ` ${o.status}${o.code ? ` ${o.code}` : ''} · `,
      o.count ? `${o.count}${o.forced ? ` (${o.forced} forced)` : ''}` : 'never')))))));
  }

  async function clearCoverage() {
    const r = await call('DELETE', `/__sandbox/coverage?${tq()}`);
    say(`Cleared ${r.cleared} count(s) of ${r.tenant}.`);
    await loadCoverage();
  }

  // --- wiring ---------------------------------------------------------------------------
  function on(sel, ev, fn) { $(sel).addEventListener(ev, fn); }
  function onSubmit(sel, key, fn) {
    on(sel, 'submit', (ev) => { ev.preventDefault(); guard(key, () => fn(ev.target)); });
  }

  function wire() {
    onSubmit('#tenant-form', '', async (f) => { setTenant(f.elements.tenant.value.trim(), true); await loadTenants(); });
    onSubmit('#token-form', '', async (f) => {
      setAdminToken(f.elements.token.value.trim());
      f.elements.token.value = '';
      say(adminToken() ? 'Admin token set for this tab.' : 'Admin token cleared.');
      setTenant(ui.tenant, true);
      await loadTenants();
    });
    window.addEventListener('hashchange', () => showView(location.hash.slice(1)));

    on('#f-api', 'change', () => { fillOperations($('#f-op'), true, $('#f-api').value); guard('journal', () => loadJournal(true)); });
    on('#f-op', 'change', () => guard('journal', () => loadJournal(true)));
    on('#f-status', 'input', renderJournal);
    on('#f-outcome', 'input', renderJournal);
    on('#journal-filters', 'submit', (ev) => ev.preventDefault());
    on('#journal-export', 'click', () => guard('export', exportCalls));

    for (const b of $$('.subtabs button')) {
      b.addEventListener('click', () => { ui.stateApi = b.dataset.api; guard('state', loadState); });
    }
    for (const f of $$('form.lookup')) {
      f.addEventListener('submit', (ev) => { ev.preventDefault(); guard('', () => lookup(f)); });
    }

    on('#rule-operation', 'change', fillRuleOutcomes);
    onSubmit('#rule-form', 'arm', armRule);

    onSubmit('#clock-advance-form', 'clock-move', (f) => moveClock({ advance: f.elements.advance.value.trim() }));
    onSubmit('#clock-set-form', 'clock-move', (f) => moveClock({ set: f.elements.set.value.trim() }));
    onSubmit('#clock-reset-form', 'clock-move', () => moveClock({ reset: true }));
    onSubmit('#reset-form', 'reset', resetTenant);
    on('#snapshot-download', 'click', () => guard('snapshot', downloadSnapshot));
    onSubmit('#snapshot-upload-form', 'snapshot', uploadSnapshot);

    on('#coverage-api', 'change', () => guard('coverage', loadCoverage));
    on('#coverage-called', 'change', () => guard('coverage', loadCoverage));
    on('#coverage-clear', 'click', () => guard('coverage-clear', clearCoverage));
    on('#coverage-form', 'submit', (ev) => ev.preventDefault());
  }

  // Live views refresh by themselves: the journal every second (a one-entry probe; the
  // list is fetched only when a new call arrived), the coverage matrix and armed rules a
  // little less often.
  let ticks = 0;
  function tick() {
    ticks++;
    if (document.hidden) return;
    if (ui.view === 'journal' && $('#f-live').checked) guard('journal', () => loadJournal(false));
    if (ui.view === 'coverage' && ticks % 2 === 0) guard('coverage', loadCoverage);
    if (ui.view === 'scenarios' && ticks % 2 === 0) guard('rules', loadRules);
    if (ticks % 5 === 0) refreshClock();
  }

  function start() {
    wire();
    showToken();
    guard('tenants', loadTenants);
    setTenant(initialTenant(), false);
    showView(location.hash.slice(1) || 'journal');
    setInterval(tick, POLL_MS);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
