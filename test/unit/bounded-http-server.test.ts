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

  const start = async (limits: Partial<HttpLimits> = {}, host = '127.0.0.1') => {
    server = await startBoundedHttpServer({
      host,
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
  const open = async (port: number, from?: string, halfOpen = false) => {
    const s = await rawConnection(port, from, { halfOpen });
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
    const port = await start({ maxConnectionsPerAddress: 4, maxConnections: 6, reservedConnections: 0 });
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

  it('counts every header byte as sent, separators included, and the header count: 431 beyond either', async () => {
    const port = await start(); // the documented defaults: 8 KiB, 64 fields
    const request = (headers: string) => `GET /ok HTTP/1.1\r\nhost: x\r\n${headers}\r\n`;
    const answer = async (raw: string) => {
      const s = await open(port);
      s.write(raw);
      return (await untilClosed(s, 2000)).received.split('\r\n')[0];
    };
    // The block: 1,500 fields in 13,957 bytes, which Node's own cap (names and values only) let through.
    const many = Array.from({ length: 1500 }, (_, i) => `${(i % 36).toString(36)}:${i}`).join('\r\n').slice(0, 13_950);
    expect(await answer(request(`${many}\r\n`))).to.equal('HTTP/1.1 431 Request Header Fields Too Large');
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `x-${i}: v\r\n`).join('');
    expect(await answer(request(fields(64)))).to.equal('HTTP/1.1 431 Request Header Fields Too Large'); // 65 with host
    expect(await answer(request(fields(63) + 'connection: close\r\n'))).to.match(/^HTTP\/1\.1 431/);
    expect(await answer(request(fields(62) + 'connection: close\r\n'))).to.equal('HTTP/1.1 200 OK');
    // Exactly 8,192 bytes up to and including the blank line is accepted; one more is not.
    const sized = (total: number) => {
      const head = request('connection: close\r\nx-pad: ');
      return `${head.slice(0, -2)}${'p'.repeat(total - head.length - 2)}\r\n\r\n`;
    };
    expect(sized(8192).length).to.equal(8192);
    expect(await answer(sized(8192))).to.equal('HTTP/1.1 200 OK');
    expect(await answer(sized(8193))).to.equal('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it('frees the slot of a client that sends nothing at the header timeout, even if it never closes its side', async () => {
    const port = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 30_000, keepAliveTimeoutMs: 300, maxConnectionsPerAddress: 2, reservedConnections: 0 });
    const silent = await Promise.all([open(port, '127.0.0.2', true), open(port, '127.0.0.2', true)]);
    const ended = silent.map((s) => new Promise<number>((resolve) => s.once('end', () => resolve(Date.now())).resume()));
    const started = Date.now();
    await Promise.all(ended);
    expect(Date.now() - started, 'answered 408 at the header timeout (checked every 300 ms)').to.be.below(2000);
    await new Promise((r) => setTimeout(r, 100));
    // Their slots are free again: a third connection from the same address is served.
    const next = await open(port, '127.0.0.2');
    next.write('GET /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect((await untilClosed(next, 2000)).received).to.match(/^HTTP\/1\.1 200 /);
  });

  it('keeps the last slots for addresses that hold none yet', async () => {
    const port = await start({ maxConnections: 6, maxConnectionsPerAddress: 4, reservedConnections: 3 });
    const a = await Promise.all([1, 2, 3].map(() => open(port, '127.0.0.2')));
    const stays = async (s: Socket) => !(await untilClosed(s, 300)).closed;
    expect(await stays(await open(port, '127.0.0.2')), "127.0.0.2's 4th, in the reserve").to.equal(false);
    const b = await open(port, '127.0.0.3');
    expect(await stays(await open(port, '127.0.0.3')), "127.0.0.3's 2nd, in the reserve").to.equal(false);
    const c = await open(port, '127.0.0.4');
    const d = await open(port, '127.0.0.5');
    expect(await stays(await open(port, '127.0.0.6')), 'the 7th in total').to.equal(false);
    for (const s of [...a, b, c, d]) expect(await stays(s)).to.equal(true);
  });

  it('keys IPv4 clients of a dual-stack listener by their IPv4 address (not one IPv6 /64 for all)', async () => {
    const port = await start({ maxConnectionsPerAddress: 2, reservedConnections: 0 }, '::');
    const stays = async (s: Socket) => !(await untilClosed(s, 300)).closed;
    const held = [await open(port, '127.0.0.2'), await open(port, '127.0.0.2'), await open(port, '127.0.0.3'), await open(port, '127.0.0.3')];
    expect(await stays(await open(port, '127.0.0.2')), "127.0.0.2's 3rd").to.equal(false);
    for (const s of held) expect(await stays(s)).to.equal(true);
    // ::1 is one more client (the /64 ::/64), with slots of its own.
    const v6 = [await rawConnection(port, undefined, { host: '::1' }), await rawConnection(port, undefined, { host: '::1' })];
    sockets.push(...v6);
    expect(await stays(v6[1]!)).to.equal(true);
    const third = await rawConnection(port, undefined, { host: '::1' });
    sockets.push(third);
    expect(await stays(third), "::1's 3rd").to.equal(false);
  });
});
