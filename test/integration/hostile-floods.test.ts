import { status } from '@grpc/grpc-js';
import { constants, type ClientHttp2Session } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import { WatchNotesResponse } from '../../gen/business/v1/notes_service.js';
import { QUEUED_MESSAGE_OVERHEAD_BYTES } from '@grpc-token-auth/server-kit';
import { createAuthClient, createNotesClient, Session } from '@grpc-token-auth/sdk';
import { within } from '../support/eventually.js';
import { expectStatus, md } from '../support/grpc.js';
import { healthCheck, IMAGE_NODE_OPTIONS, probeFromAnotherProcess, rssMb, tally, watchPeakRss } from '../support/hostile.js';
import { grpcFrame, rawCall, rawOutcome, rawRequest, rawSession, type RawOutcome } from '../support/raw-http2.js';
import { startSystem, type RunningSystem } from '../support/system.js';

/** What one flooding client sends: as many streams as the measurement, over 6 connections. */
const FLOOD_STREAMS = 60_000;
const FLOOD_CONNECTIONS = 6;
/**
 * How a flooding client's extra streams may end: RESOURCE_EXHAUSTED (our caps), or the HTTP/2
 * layer's own refusals when the client ignores SETTINGS_MAX_CONCURRENT_STREAMS — RST_STREAM
 * REFUSED_STREAM (7), and ENHANCE_YOUR_CALM (11) once Node closes a session that keeps
 * opening refused streams (its pending streams then end with INTERNAL_ERROR, 2, on the client).
 */
const FLOOD_REFUSALS = ['RESOURCE_EXHAUSTED', `RST ${constants.NGHTTP2_REFUSED_STREAM}`, `RST ${constants.NGHTTP2_ENHANCE_YOUR_CALM}`, `RST ${constants.NGHTTP2_INTERNAL_ERROR}`];

/** The target: each service stays under this resident size during the flood. */
const RSS_BOUND_MB = 300;

/**
 * Opens `count` streams on `path` over `FLOOD_CONNECTIONS` raw HTTP/2 connections, never reading
 * them, and checks a legitimate call while they pour in. Resolves once every stream the server
 * refused has ended, with the outcomes and the streams still open.
 */
/** Raw sessions a test opened; destroyed after each test, even a failed one. */
const rawSessions: ClientHttp2Session[] = [];
async function openRaw(port: number, opts?: { localAddress?: string }): Promise<ClientHttp2Session> {
  const session = await rawSession(port, opts);
  session.on('error', () => undefined);
  rawSessions.push(session);
  return session;
}

async function flood(port: number, path: string, headers: Record<string, string>, probe: () => Promise<number>) {
  const sessions = await Promise.all(Array.from({ length: FLOOD_CONNECTIONS }, () => openRaw(port)));
  const ended: RawOutcome[] = [];
  const open = new Set<number>();
  let probeMs = NaN;
  let probing: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < FLOOD_STREAMS; i++) {
    const session = sessions[i % FLOOD_CONNECTIONS]!;
    if (session.destroyed || session.closed) {
      // The server closed this connection (ENHANCE_YOUR_CALM): a stream it never has to refuse.
      ended.push({ code: undefined, details: undefined, rstCode: constants.NGHTTP2_ENHANCE_YOUR_CALM, bytes: 0 });
      continue;
    }
    const stream = rawRequest(session, path, headers);
    open.add(i);
    void rawOutcome(stream).then((o) => (open.delete(i), ended.push(o)));
    if (i === FLOOD_STREAMS / 2) probing = probe().then((ms) => (probeMs = ms));
    if (i % 1000 === 0) await new Promise((r) => setImmediate(r)); // let the sockets move
  }
  await probing;
  return { sessions, ended, open, probeMs: () => probeMs };
}

describe('hostile floods (real processes, image heap settings)', function () {
  this.timeout(120_000);
  let sys: RunningSystem;
  let session: Session;
  const password = 'many-streams-passphrase';

  before(async () => {
    // As deployed: RPC_LOG at its default, so the cap on lines for failed calls is what is measured.
    sys = await startSystem({ NODE_OPTIONS: IMAGE_NODE_OPTIONS, HANDSHAKE_TIMEOUT_MS: '500', RPC_LOG: 'failures' });
    const auth = createAuthClient(sys.authAddress);
    await auth.register({ email: 'flood@example.com', password, displayName: 'Flood' });
    auth.close();
    session = await Session.login({ auth: sys.authAddress, email: 'flood@example.com', password });
  });
  afterEach(() => {
    for (const s of rawSessions.splice(0)) s.destroy();
  });
  after(async () => {
    session?.close();
    await sys?.stop();
  });

  it(`auth-svc survives ${FLOOD_STREAMS} unauthenticated health Watch streams from one client and answers a legitimate call within 1 s`, async () => {
    const peak = watchPeakRss(sys.auth.child.pid!);
    const f = await flood(sys.auth.port, '/grpc.health.v1.Health/Watch', {}, () => probeFromAnotherProcess(sys.authAddress, '/grpc.health.v1.Health/Check'));
    // Every stream past the per-address cap for unauthenticated streams is refused at once.
    await within(60_000, async () => f.ended.length >= FLOOD_STREAMS - 10, 'refused streams ended');
    const peakMb = peak.stop();
    expect(Object.keys(tally(f.ended))).to.satisfy((codes: string[]) => codes.every((c) => FLOOD_REFUSALS.includes(c)));
    expect(f.open.size, 'held open: at most MAX_PUBLIC_STREAMS_PER_ADDRESS').to.be.at.most(10);
    expect(peakMb, 'peak RSS, MB').to.be.below(RSS_BOUND_MB);
    expect(f.probeMs(), 'legitimate Check during the flood, ms').to.be.below(1000);
    for (const s of f.sessions) s.destroy();
    const after = await healthCheck(sys.authAddress);
    expect(after.status).to.equal('SERVING');
    expect(sys.auth.child.exitCode).to.equal(null);
    console.log(`      auth-svc: peak RSS ${peakMb.toFixed(0)} MB, Check during flood ${f.probeMs().toFixed(0)} ms`);
  });

  it(`business-svc survives ${FLOOD_STREAMS} WatchNotes streams with a valid token and still serves the user`, async () => {
    const token = await session.accessToken();
    const peak = watchPeakRss(sys.business.child.pid!);
    const probe = () => probeFromAnotherProcess(sys.businessAddress, '/business.v1.NotesService/ListNotes', token);
    const linesBefore = sys.business.output.length;
    const started = performance.now();
    const f = await flood(sys.business.port, '/business.v1.NotesService/WatchNotes', { authorization: `Bearer ${token}` }, probe);
    await within(60_000, async () => f.ended.length >= FLOOD_STREAMS - 16, 'refused streams ended');
    const seconds = (performance.now() - started) / 1000;
    const peakMb = peak.stop();
    // Each refused stream is a failed call, but the log takes at most 100 such lines a second.
    await new Promise((r) => setTimeout(r, 1100)); // the last second's "left out" line
    const written = sys.business.output.slice(linesBefore);
    const failedLines = written.filter((l) => l.includes('"msg":"rpc') && !l.includes('"code":"OK"')).length;
    const leftOut = written.filter((l) => l.includes('rpc lines left out')).reduce((n, l) => n + (JSON.parse(l) as { left: number }).left, 0);
    expect(failedLines, `rpc lines for failed calls over ${seconds.toFixed(1)} s`).to.be.at.most(100 * (Math.ceil(seconds) + 2));
    expect(leftOut, 'calls counted in "rpc lines left out"').to.be.above(0);
    expect(Object.keys(tally(f.ended))).to.satisfy((codes: string[]) => codes.every((c) => FLOOD_REFUSALS.includes(c)));
    expect(f.open.size, 'held open: at most MAX_LIVE_STREAMS_PER_PRINCIPAL').to.be.at.most(16);
    expect(peakMb, 'peak RSS, MB').to.be.below(RSS_BOUND_MB);
    expect(f.probeMs(), 'legitimate ListNotes during the flood, ms').to.be.below(1000);
    for (const s of f.sessions) s.destroy();
    expect((await healthCheck(sys.businessAddress)).status).to.equal('SERVING');
    console.log(
      `      business-svc: peak RSS ${peakMb.toFixed(0)} MB, ListNotes during flood ${f.probeMs().toFixed(0)} ms, ` +
        `${failedLines} rpc lines for failed calls in ${seconds.toFixed(1)} s (${leftOut} left out)`,
    );
  });

  it('closes connections past the per-address cap at accept; another address still gets in; silent sockets are dropped', async () => {
    const sockets: Socket[] = [];
    const closed = new Set<Socket>();
    for (let i = 0; i < 150; i++) {
      const socket = connect({ host: '127.0.0.1', port: sys.auth.port });
      socket.on('error', () => undefined);
      socket.on('close', () => closed.add(socket));
      socket.resume(); // reads, so a close from the server is seen
      // Speaks HTTP/2 (the client preface), so the handshake timeout does not apply.
      socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
      sockets.push(socket);
    }
    await within(5000, async () => closed.size >= 50, '50 connections past the cap closed');
    await new Promise((r) => setTimeout(r, 200));
    // business-svc's own channels to auth-svc also come from 127.0.0.1, so a few more may be closed.
    expect(150 - closed.size, 'still open: at most MAX_CONNECTIONS_PER_ADDRESS').to.be.at.most(100).and.at.least(90);
    // Another client address (127.0.0.2) is not affected by the flood from 127.0.0.1.
    const other = await openRaw(sys.auth.port, { localAddress: '127.0.0.2' });
    const answer = await rawCall(other, '/grpc.health.v1.Health/Check');
    expect(answer.code).to.equal(status.OK);
    other.destroy();
    for (const s of sockets) s.destroy();
    // Their slots come back: 127.0.0.1 is admitted again.
    await within(5000, async () => (await healthCheck(sys.authAddress).catch(() => undefined))?.status === 'SERVING', 'admitted again');

    // A connection that never sends a byte is closed after HANDSHAKE_TIMEOUT_MS (500 ms here).
    const silent = connect({ host: '127.0.0.1', port: sys.auth.port });
    silent.on('error', () => undefined);
    silent.resume();
    const silentClosedIn = await new Promise<number>((resolve) => {
      const started = Date.now();
      silent.on('close', () => resolve(Date.now() - started));
      setTimeout(() => resolve(Infinity), 5000);
    });
    silent.destroy();
    expect(silentClosedIn).to.be.within(300, 3000);
    expect((await healthCheck(sys.authAddress)).status).to.equal('SERVING');
  });

  it('advertises 100 streams per connection and refuses oversized metadata and messages with RESOURCE_EXHAUSTED', async () => {
    const raw: ClientHttp2Session = await openRaw(sys.auth.port);
    expect(raw.remoteSettings.maxConcurrentStreams).to.equal(100);
    const big = await rawCall(raw, '/grpc.health.v1.Health/Check', { 'x-padding': 'a'.repeat(20_000) });
    expect(big.code).to.equal(status.RESOURCE_EXHAUSTED);
    expect(big.details).to.match(/metadata exceeds 16384 bytes/);
    // auth-svc takes requests up to 16 KiB: a 20 KB Login is refused before it is decoded.
    const login = await rawCall(raw, '/auth.v1.AuthService/Login', {}, grpcFrame(new Uint8Array(20_000)));
    expect(login.code).to.equal(status.RESOURCE_EXHAUSTED);
    raw.destroy();
    const auth = createAuthClient(sys.authAddress);
    await expectStatus(auth.login({ email: 'x@example.com', password: 'p'.repeat(20_000) }), status.RESOURCE_EXHAUSTED);
    await expectStatus(auth.login({ email: 'x@example.com', password: 'pw' }, { metadata: md({ 'x-pad': 'b'.repeat(17_000) }) }), status.RESOURCE_EXHAUSTED);
    auth.close();
  });

  it('cuts off a watcher that never reads at its byte budget (reset, RESOURCE_EXHAUSTED) and frees it, while the writer goes on', async () => {
    const notes = createNotesClient(sys.businessAddress, { interceptors: [session.interceptor] });
    const note = (await notes.createNote({ title: 'slow reader', body: '' })).note!;
    const token = await session.accessToken();
    const raw = await openRaw(sys.business.port);
    const watcher = rawRequest(raw, '/business.v1.NotesService/WatchNotes', { authorization: `Bearer ${token}` });
    watcher.pause(); // never reads: flow control stops the server's sends, its backlog grows
    let updatesWhenReset: number | undefined;
    let done = 0;
    watcher.on('close', () => (updatesWhenReset = done));
    await new Promise((r) => setTimeout(r, 200));
    const body = 'x'.repeat(10_000);
    const updates = 300; // ~3 MB of changes, three times the 1 MiB budget
    const messageBytes = WatchNotesResponse.encode({ kind: 2, note: { ...note, body, version: 2 }, resumeToken: Buffer.from(JSON.stringify(['0123456789abcdef', 1000])).toString('base64url') }).finish().length;
    const before = rssMb(sys.business.child.pid!);
    for (; done < updates; done++) await notes.updateNote({ id: note.id, body });
    await within(2000, async () => updatesWhenReset !== undefined, 'watcher reset');
    expect(watcher.rstCode, 'RST_STREAM ENHANCE_YOUR_CALM (clients: RESOURCE_EXHAUSTED)').to.equal(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    // Reset once 1 MiB was waiting (bytes plus the per-message charge), plus what the flow-control windows (64 KiB each) let through.
    const budgetUpdates = (1024 * 1024) / (messageBytes + QUEUED_MESSAGE_OVERHEAD_BYTES);
    expect(updatesWhenReset).to.be.within(Math.floor(budgetUpdates), Math.ceil(budgetUpdates + (2 * 65_535) / messageBytes) + 5);
    expect(rssMb(sys.business.child.pid!) - before, 'RSS growth, MB').to.be.below(60);
    // The writer and other users are unaffected; the process says what it did.
    expect((await notes.getNote({ id: note.id })).note!.version).to.equal(updates + 1);
    const line = sys.business.output.find((l) => l.includes('WatchNotes') && l.includes('RESOURCE_EXHAUSTED'));
    expect(line, 'rpc log line with the status the reset stands for').to.not.equal(undefined);
    raw.destroy();
    notes.close();
  });

  it('refuses a 17th WatchNotes of one user (RESOURCE_EXHAUSTED), and admits it again once one closes', async () => {
    const token = await session.accessToken();
    const raw = await openRaw(sys.business.port);
    const streams = Array.from({ length: 16 }, () => rawRequest(raw, '/business.v1.NotesService/WatchNotes', { authorization: `Bearer ${token}` }));
    await new Promise((r) => setTimeout(r, 300));
    const extra = await rawCall(raw, '/business.v1.NotesService/WatchNotes', { authorization: `Bearer ${token}` });
    expect(extra.code).to.equal(status.RESOURCE_EXHAUSTED);
    expect(extra.details).to.match(/at most 16 open streams per caller/);
    streams[0]!.close(constants.NGHTTP2_CANCEL);
    await new Promise((r) => setTimeout(r, 200));
    const again = rawRequest(raw, '/business.v1.NotesService/WatchNotes', { authorization: `Bearer ${token}` });
    const outcome = await Promise.race([rawOutcome(again), new Promise<'open'>((r) => setTimeout(() => r('open'), 500))]);
    expect(outcome, 'admitted: still open').to.equal('open');
    raw.destroy();
  });
});

describe('the process-wide backlog budget (real processes)', function () {
  this.timeout(60_000);
  // Each stream may hold 1 MiB, but all streams of the process only 1 MiB together.
  const ctx = systemWithBacklogBudget(1024 * 1024, 1024 * 1024, 'budget@example.com', 'many-streams-passphrase');

  it('resets slow readers once all of them together hold MAX_TOTAL_BACKLOG_BYTES, long before any reaches its own cap', async () => {
    const notes = createNotesClient(ctx.sys.businessAddress, { interceptors: [ctx.session.interceptor] });
    const note = (await notes.createNote({ title: 'shared budget', body: '' })).note!;
    const token = await ctx.session.accessToken();
    const watchers = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const raw = await openRaw(ctx.sys.business.port);
        const stream = rawRequest(raw, '/business.v1.NotesService/WatchNotes', { authorization: `Bearer ${token}` });
        stream.pause();
        return stream;
      }),
    );
    let done = 0;
    let firstResetAt: number | undefined;
    for (const w of watchers) w.on('close', () => (firstResetAt ??= done));
    await new Promise((r) => setTimeout(r, 200));
    const body = 'x'.repeat(10_000);
    for (; done < 150 && firstResetAt === undefined; done++) await notes.updateNote({ id: note.id, body });
    // Three readers share 1 MiB: the first is reset after about a third of what its own cap allows (~100 updates).
    expect(firstResetAt, 'updates until the first reset').to.be.a('number').and.below(70);
    expect(watchers.some((w) => w.rstCode === constants.NGHTTP2_ENHANCE_YOUR_CALM)).to.equal(true);
    notes.close();
  });
});

describe('slow readers of small messages (real processes)', function () {
  this.timeout(90_000);
  const budget = 32 * 1024 * 1024;
  const ctx = systemWithBacklogBudget(budget, budget, 'small@example.com', 'tiny-changes-passphrase');

  // Queued messages are ts-proto objects, several times their encoded size when small: a budget
  // counted in encoded bytes alone let 16 readers of ~300-byte changes hold ~2.5× MAX_TOTAL_BACKLOG_BYTES.
  it('counts what a queued message holds, not only its encoded bytes: 16 readers that never read stay near the budget', async () => {
    const notes = createNotesClient(ctx.sys.businessAddress, { interceptors: [ctx.session.interceptor] });
    const note = (await notes.createNote({ title: 'small changes', body: '' })).note!;
    const token = await ctx.session.accessToken();
    const raw = await openRaw(ctx.sys.business.port);
    const watchers = Array.from({ length: 16 }, () => rawRequest(raw, '/business.v1.NotesService/WatchNotes', { authorization: `Bearer ${token}` }));
    for (const w of watchers) w.pause();
    let done = 0;
    let firstResetAt: number | undefined;
    for (const w of watchers) w.on('close', () => (firstResetAt ??= done));
    await new Promise((r) => setTimeout(r, 300));
    const body = (i: number) => String(i).padEnd(200, 's');
    const messageBytes = WatchNotesResponse.encode({ kind: 2, note: { ...note, body: body(0), version: 2 }, resumeToken: Buffer.from(JSON.stringify(['0123456789abcdef', 1000])).toString('base64url') }).finish().length;
    const before = rssMb(ctx.sys.business.child.pid!);
    let peak = before;
    for (; done < 12_000 && firstResetAt === undefined; done++) {
      await notes.updateNote({ id: note.id, body: body(done) });
      if (done % 200 === 0) peak = Math.max(peak, rssMb(ctx.sys.business.child.pid!));
    }
    peak = Math.max(peak, rssMb(ctx.sys.business.child.pid!));
    // 16 readers share the budget, each message charged its bytes and the per-message overhead
    // (the connection's flow-control window lets a few through unqueued).
    const expected = budget / (16 * (messageBytes + QUEUED_MESSAGE_OVERHEAD_BYTES));
    expect(firstResetAt, 'updates until the first reset').to.be.a('number').and.within(Math.floor(expected * 0.9), Math.ceil(expected * 1.15) + 10);
    // What they held: the budget plus the ordinary growth of a process under writes, not 2.5× it.
    expect(peak - before, 'RSS growth, MB').to.be.below((budget / 1024 / 1024) * 1.5 + 32);
    raw.destroy();
    notes.close();
  });
});

/**
 * A system whose business-svc has the given backlog caps, and one signed-in user; hooks of the
 * calling describe start and stop it. Read `.sys` and `.session` inside tests (set in `before`).
 */
function systemWithBacklogBudget(perStream: number, total: number, email: string, password: string): { sys: RunningSystem; session: Session } {
  const ctx = {} as { sys: RunningSystem; session: Session };
  before(async () => {
    ctx.sys = await startSystem({ MAX_STREAM_BACKLOG_BYTES: String(perStream), MAX_TOTAL_BACKLOG_BYTES: String(total) });
    const auth = createAuthClient(ctx.sys.authAddress);
    await auth.register({ email, password, displayName: email.split('@')[0]! });
    auth.close();
    ctx.session = await Session.login({ auth: ctx.sys.authAddress, email, password });
  });
  after(async () => {
    for (const s of rawSessions.splice(0)) s.destroy();
    ctx.session?.close();
    await ctx.sys?.stop();
  });
  return ctx;
}
