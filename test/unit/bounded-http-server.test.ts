import { expect } from 'chai';
import type { Socket } from 'node:net';
import { pino } from 'pino';
import { startBoundedHttpServer, type HttpLimits, type RunningHttpServer } from '../../lib/http/bounded-http-server.js';
import { httpRequest, rawConnection, untilClosed } from '../support/http.js';

/** The listener's limits, tried over loopback sockets the way a hostile client would. */
describe('bounded HTTP listener', () => {
  const log = pino({ level: 'silent' });
  let server: RunningHttpServer | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server?.close();
    server = undefined;
  });

  const start = async (limits: Partial<HttpLimits> = {}) => {
    server = await startBoundedHttpServer({
      host: '127.0.0.1',
      port: 0,
      log,
      limits,
      routes: {
        '/ok': () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'fine\n' }),
        '/fails': () => Promise.reject(new Error('secret detail')),
      },
    });
    return server.port;
  };
  const open = async (port: number, from?: string) => {
    const s = await rawConnection(port, from);
    sockets.push(s);
    return s;
  };

  it('answers GET and HEAD on its routes, 404 elsewhere, 405 for other methods, 500 without detail on failure', async () => {
    const port = await start();
    const get = await httpRequest(port, '/ok?x=1');
    expect([get.status, get.body, get.headers['content-length']]).to.deep.equal([200, 'fine\n', '5']);
    const head = await httpRequest(port, '/ok', { method: 'HEAD' });
    expect([head.status, head.body, head.headers['content-length']]).to.deep.equal([200, '', '5']);
    for (const path of ['/', '/ok/', '/okx', '/constructor', '/__proto__']) expect((await httpRequest(port, path)).status, path).to.equal(404);
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']) {
      const res = await httpRequest(port, '/ok', { method });
      expect([res.status, res.headers.allow], method).to.deep.equal([405, 'GET, HEAD']);
    }
    const failed = await httpRequest(port, '/fails');
    expect(failed.status).to.equal(500);
    expect(failed.body).not.to.contain('secret detail');
  });

  it('refuses a request body (413) and closes the connection instead of reading it', async () => {
    const port = await start();
    const s = await open(port);
    s.write('GET /ok HTTP/1.1\r\nhost: x\r\ncontent-length: 1000000\r\n\r\npartial');
    const seen = await untilClosed(s, 2000);
    expect(seen.received).to.match(/^HTTP\/1\.1 413 /);
    expect(seen.closed).to.equal(true);
    const chunked = await open(port);
    chunked.write('GET /ok HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
    expect((await untilClosed(chunked, 2000)).received).to.match(/^HTTP\/1\.1 413 /);
  });

  it('answers oversized headers and request lines with 431, and garbage with 400, then closes', async () => {
    const port = await start({ maxHeaderBytes: 1024 });
    const big = await open(port);
    big.write(`GET /ok HTTP/1.1\r\nhost: x\r\nx-junk: ${'a'.repeat(4096)}\r\n\r\n`);
    const seen = await untilClosed(big, 2000);
    expect([seen.closed, seen.received.split('\r\n')[0]]).to.deep.equal([true, 'HTTP/1.1 431 Request Header Fields Too Large']);
    const longUrl = await open(port);
    longUrl.write(`GET /ok?${'q'.repeat(4096)} HTTP/1.1\r\nhost: x\r\n\r\n`);
    expect((await untilClosed(longUrl, 2000)).received).to.match(/^HTTP\/1\.1 431 /);
    const garbage = await open(port);
    garbage.write('\x16\x03\x01 not http at all\r\n\r\n');
    const bad = await untilClosed(garbage, 2000);
    expect([bad.closed, bad.received.split('\r\n')[0]]).to.deep.equal([true, 'HTTP/1.1 400 Bad Request']);
  });

  it('closes a connection that sends its headers too slowly (slowloris) or stays idle', async () => {
    const port = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 400, keepAliveTimeoutMs: 300 });
    const slow = await open(port);
    slow.write('GET /ok HTTP/1.1\r\nhost: x\r\n');
    const drip = setInterval(() => slow.writable && slow.write('x-a: b\r\n'), 100); // never finishes, never idle
    const seen = await untilClosed(slow, 5000);
    clearInterval(drip);
    expect(seen.closed, 'slow headers are cut off').to.equal(true);
    expect(seen.afterMs).to.be.below(3000);
    const idle = await open(port);
    expect((await untilClosed(idle, 5000)).closed, 'a silent connection is closed').to.equal(true);
  });

  it('caps connections per client address and in total; later connections still work once others close', async () => {
    const port = await start({ maxConnectionsPerAddress: 4, maxConnections: 6 });
    const held = await Promise.all(Array.from({ length: 4 }, () => open(port)));
    const extra = await open(port);
    expect((await untilClosed(extra, 2000)).closed, 'the 5th connection from one address is closed').to.equal(true);
    // Another client (loopback has every 127/8 address) gets the two slots left in total, no more.
    const other = await Promise.all([open(port, '127.0.0.2'), open(port, '127.0.0.2')]);
    const beyondTotal = await open(port, '127.0.0.2');
    expect((await untilClosed(beyondTotal, 2000)).closed, 'the 7th connection in total is closed').to.equal(true);
    expect((await untilClosed(other[1]!, 300)).closed, 'connections within the limits stay open').to.equal(false);
    for (const s of [...held, ...other]) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect((await httpRequest(port, '/ok')).status, 'slots are given back').to.equal(200);
  });
});
