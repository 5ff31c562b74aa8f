// Echo handler on node-fastcgi (Debian node-fastcgi): prints every param,
// the body and, for a Filter, its FCGI_DATA in the reference responder's
// line format (docs/responder.md). Serves all three roles on the listening
// socket it gets as fd 0 (spawn-fcgi).
'use strict';
const fcgi = require('node-fastcgi');

function esc(text) {
  let out = '';
  for (const c of Buffer.from(text, 'utf8')) {
    out += c < 0x21 || c > 0x7e || c === 0x25 || c === 0x3d
      ? '%' + c.toString(16).toUpperCase().padStart(2, '0')
      : String.fromCharCode(c);
  }
  return out;
}

function readAll(stream) {
  return new Promise((resolve, reject) => {
    const parts = [];
    stream.on('data', (chunk) => parts.push(Buffer.from(chunk)));
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}

async function echo(role, req, res) {
  const [body, data] = await Promise.all(
    [readAll(req), role === 'FILTER' ? readAll(req.data) : null]);
  const params = req.cgiParams;
  const lines = ['role ' + role];
  for (const name of Object.keys(params).sort()) {
    lines.push('param ' + esc(name) + '=' + esc(String(params[name])));
  }
  const parts = [Buffer.from(lines.join('\n') + '\nstdin ' + body.length + '\n'), body];
  if (data) parts.push(Buffer.from('\ndata ' + data.length + '\n'), data);
  parts.push(Buffer.from('\nend\n'));
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(Buffer.concat(parts));
}

const handler = (role) => (req, res) => {
  echo(role, req, res).catch((err) => {
    console.error('node-fastcgi-echo:', err);
    res.writeHead(500);
    res.end();
  });
};

const server = fcgi.createServer(
  handler('RESPONDER'), handler('AUTHORIZER'), handler('FILTER'));
server.on('protocolError', (err) => console.error('protocol error:', err.message));
server.listen({ fd: 0 });
