'use strict';
// Draws the grid from the JSON in #grid-data (grid.py). Every string of the
// results reaches the page as a text node or an attribute value, never as
// markup. Rows are drawn a chunk at a time as the page scrolls, so a
// campaign of thousands of streams loads quickly.
const DATA = JSON.parse(document.getElementById('grid-data').textContent);
const CHUNK = 200;
const AHEAD = 1200;  // px below the window where the next chunk is drawn
const FIELDS = ['outcome', 'role', 'id', 'note', 'stdin'];
const panel = document.getElementById('panel');
const panelBody = document.getElementById('panel-body');
const onlyDisagreeing = document.getElementById('only-disagreeing');
let picked = null;  // the row whose views the panel shows

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {}))
    e.setAttribute(name, value);
  e.append(...children);  // strings become text nodes
  return e;
}

function text(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const sides = DATA.sides.map((side, n) => {
  const section = document.querySelector(`section[data-side="${n}"]`);
  return {side, section, tbody: section.querySelector('tbody'),
          more: section.querySelector('.more'),
          shown: section.querySelector('.shown'),
          cluster: null, rows: [], drawn: 0};
});

// The clusters (indices into DATA.clusters) of one cell.
function cellClusters(stream, impl) {
  return stream.k.filter(k => DATA.clusters[k].implementation === impl);
}

function cell(stream, impl, col) {
  const td = el('td', {'data-impl': impl, 'data-col': col});
  if (stream.v[col] === null) {
    td.className = 'none';
    td.title = 'no view';
    td.textContent = '–';
    return td;
  }
  const ks = cellClusters(stream, impl);
  if (!ks.length) {
    td.className = 'agree';
  } else {
    const timing = ks.some(k => DATA.clusters[k].timing) ? ' timing' : '';
    td.className = `k${ks[0]}${timing}`;
    td.dataset.clusters = ks.map(k => DATA.clusters[k].key).join(' ');
    td.title = ks.map(k => DATA.clusters[k].key).join('\n');
    td.textContent = ks.map(k => DATA.short[DATA.clusters[k].class]).join(' ');
  }
  return td;
}

function row(state, index) {
  const s = state.side.streams[index];
  const tr = el('tr', {'data-stream': s.id, 'data-index': index,
                       'data-differ': s.d},
                el('th', {class: 'sid', title: s.m.join(' ')}, `${s.id} `,
                   el('span', {class: 'muts'}, s.m.join(' '))));
  state.side.implementations.forEach((impl, col) =>
    tr.append(cell(s, impl, col)));
  return tr;
}

function drawMore(state) {
  const end = Math.min(state.drawn + CHUNK, state.rows.length);
  const rows = document.createDocumentFragment();
  for (; state.drawn < end; state.drawn++)
    rows.append(row(state, state.rows[state.drawn]));
  state.tbody.append(rows);
  const total = state.side.streams.length;
  const waiting = state.rows.length - state.drawn;
  state.shown.textContent = `${state.rows.length} of ${total} streams shown` +
    (waiting ? ` (${waiting} more below, drawn as you scroll)` : '');
}

function drawVisible() {
  for (const state of sides)
    while (state.drawn < state.rows.length &&
           state.more.getBoundingClientRect().top < innerHeight + AHEAD)
      drawMore(state);
}

function filter(state) {
  const streams = state.side.streams;
  state.rows = [];
  streams.forEach((s, i) => {
    if (onlyDisagreeing.checked && !s.d) return;
    if (state.cluster !== null && !s.k.includes(state.cluster)) return;
    state.rows.push(i);
  });
  state.tbody.replaceChildren();
  state.drawn = 0;
  drawMore(state);  // every side shows its first rows at once
}

function refilter() {
  sides.forEach(filter);
  drawVisible();
}

// One row of the side-by-side table: VALUES has a string (or null: absent)
// per column; a cell that differs from the first agreeing column is
// highlighted (the first column when none agrees).
function viewRow(label, values, views, agreeing, impls) {
  const tr = el('tr', {'data-field': label}, el('th', {}, label));
  const base = values[agreeing.length ? agreeing[0] : 0];
  values.forEach((value, col) => {
    const td = el('td', {'data-impl': impls[col]});
    if (value === null) td.className = 'absent';
    else if (value === '') td.className = 'empty';
    else td.textContent = value;
    if (views[col] !== null && value !== base) td.classList.add('differs');
    tr.append(td);
  });
  return tr;
}

// Params aligned by name; a name's second and later occurrences in one
// view get their own rows (NAME #2, ...).
function paramRows(views) {
  const order = [], byKey = new Map();
  views.forEach((view, col) => {
    if (view === null) return;
    const seen = new Map();
    for (const pair of view.params.map(p => DATA.pairs[p])) {
      const n = (seen.get(pair[0]) || 0) + 1;
      seen.set(pair[0], n);
      const key = n === 1 ? pair[0] : `${pair[0]} #${n}`;
      if (!byKey.has(key)) {
        byKey.set(key, views.map(() => null));
        order.push(key);
      }
      byKey.get(key)[col] = pair[1];
    }
  });
  return order.map(key => [key, byKey.get(key)]);
}

function viewsTable(state, s, col) {
  const impls = state.side.implementations;
  const views = s.v.map(v => (v === null ? null : DATA.views[v]));
  const agreeing = impls.map((impl, c) => c).filter(
    c => views[c] !== null && !cellClusters(s, impls[c]).length);
  const head = el('tr', {}, el('th', {}, ''));
  impls.forEach((impl, c) => {
    const ks = cellClusters(s, impl);
    const th = el('th', {'data-impl': impl}, impl);
    if (ks.length) th.className = `k${ks[0]}`;
    if (c === col) th.classList.add('picked');
    head.append(th);
  });
  const body = el('tbody');
  const field = name => views.map(v => (v !== null && name in v
                                        ? text(v[name]) : null));
  for (const name of FIELDS)
    if (views.some(v => v !== null && name in v))
      body.append(viewRow(name, field(name), views, agreeing, impls));
  const extra = new Set();
  views.forEach(v => v && Object.keys(v).forEach(k => extra.add(k)));
  for (const name of [...extra].sort())
    if (!FIELDS.includes(name) && name !== 'params')
      body.append(viewRow(name, field(name), views, agreeing, impls));
  body.append(el('tr', {class: 'group'},
                 el('th', {colspan: impls.length + 1}, 'params')));
  for (const [name, values] of paramRows(views))
    body.append(viewRow(name, values, views, agreeing, impls));
  return el('table', {class: 'views'}, el('thead', {}, head), body);
}

function bytesOf(hex) {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) return null;
  return (hex.match(/../g) || []).map(b => parseInt(b, 16));
}

function hexDump(bytes) {
  const lines = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const line = bytes.slice(off, off + 16);
    const hex = line.map(b => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = line.map(b => (b >= 0x20 && b < 0x7f
                                 ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

// An HTTP request as text: printable ASCII as is, \r \n \t named (a line
// break after each \n), other bytes and the backslash as \xNN.
function httpText(bytes) {
  const names = {0x0d: '\\r', 0x0a: '\\n\n', 0x09: '\\t'};
  return bytes.map(b => names[b] || (b >= 0x20 && b < 0x7f && b !== 0x5c
    ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}

function clusterLine(k) {
  const c = DATA.clusters[k];
  return el('li', {'data-key': c.key}, el('span', {class: `k${k}`}, c.key),
            ` · ${c.finding || 'new'}${c.timing ? ' · timing' : ''}`);
}

function showPanel(open) {
  panel.hidden = !open;
  document.body.classList.toggle('panel-open', open);
}

function openPanel(state, index, col) {
  const s = state.side.streams[index];
  const side = state.side.side;
  const parts = [
    el('h3', {}, `${side} stream ${s.id}`),
    el('p', {class: 'mutations'}, 'mutations: ',
       s.m.length ? s.m.join(', ') : 'none (a plain request)'),
  ];
  if (s.k.length)
    parts.push(el('ul', {class: 'clusters'}, ...s.k.map(clusterLine)));
  parts.push(viewsTable(state, s, col));
  const bytes = bytesOf(s.in);
  parts.push(el('h4', {}, bytes ? `input, ${bytes.length} bytes` : 'input'),
             el('pre', {class: 'input'}, bytes === null ? `not hex: ${s.in}`
                : side === 'backend' ? hexDump(bytes) : httpText(bytes)));
  for (const k of s.k) {
    const minimal = DATA.clusters[k].minimal;
    if (!minimal) continue;
    parts.push(el('h4', {}, `minimal case of ${DATA.clusters[k].key}`),
               el('pre', {class: 'minimal'}, `case:  ${text(minimal.case)}\n` +
                  `repro: ${text(minimal.repro)}`));
  }
  panelBody.replaceChildren(...parts);
  showPanel(true);
  panel.scrollTop = 0;
  if (picked) picked.classList.remove('picked');
  picked = state.tbody.querySelector(`tr[data-index="${index}"]`);
  picked.classList.add('picked');
}

for (const state of sides) {
  state.tbody.addEventListener('click', e => {
    const tr = e.target.closest('tr');
    if (!tr) return;
    const td = e.target.closest('td');
    openPanel(state, Number(tr.dataset.index),
              td ? Number(td.dataset.col) : null);
  });
  state.section.querySelectorAll('.legend button').forEach(button =>
    button.addEventListener('click', () => {
      const k = Number(button.dataset.cluster);
      state.cluster = state.cluster === k ? null : k;
      state.section.querySelectorAll('.legend button').forEach(b =>
        b.setAttribute('aria-pressed', String(state.cluster ===
                                              Number(b.dataset.cluster))));
      filter(state);
      drawVisible();
    }));
}
onlyDisagreeing.addEventListener('change', refilter);
document.getElementById('close').addEventListener('click',
                                                  () => showPanel(false));
document.addEventListener('keydown', e => {
  if (e.key === 'Escape') showPanel(false);
});
addEventListener('scroll', drawVisible, {passive: true});
addEventListener('resize', drawVisible);
refilter();
