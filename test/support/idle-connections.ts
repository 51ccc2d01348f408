import { connect, type Socket } from 'node:net';

/** Longer than a listener keeps a half-open connection after its last byte (its idle timeout, 10 s). */
const HELD_AFTER_END_MS = 11_000;

export interface IdleFlood {
  /** Connections the server has neither refused nor ended. */
  readonly held: () => number;
  stop(): void;
}

/**
 * From each address in `from`, `perAddress` connections to 127.0.0.1:`port` that send nothing and
 * never read. Each is replaced as soon as the server ends it, but never closed by this side (the
 * server holds a half-open socket as long as it lets it), so the flood holds whatever the server
 * lets it hold. A connection refused at accept is replaced after `retryMs`, so a refusing listener
 * is probed steadily rather than in a tight loop.
 */
export function holdIdleConnections(port: number, from: readonly string[], perAddress: number, retryMs = 100): IdleFlood {
  const open = new Set<Socket>();
  let running = true;
  const slot = (localAddress: string) => {
    if (!running) return;
    const opened = Date.now();
    const socket = connect({ host: '127.0.0.1', port, localAddress, allowHalfOpen: true });
    open.add(socket);
    socket.on('error', () => undefined);
    let replaced = false;
    const replace = () => {
      if (replaced) return;
      replaced = true;
      const refused = Date.now() - opened < 1000;
      setTimeout(() => slot(localAddress), refused ? retryMs : 0);
      // An ended socket is dropped once the server cannot be holding it any more (a refused one at
      // once), or this process would run out of file descriptors.
      setTimeout(() => socket.destroy(), refused ? 0 : HELD_AFTER_END_MS).unref();
    };
    socket.once('end', replace);
    socket.once('close', () => (open.delete(socket), replace()));
    socket.resume(); // 'end' is only seen by a flowing socket; nothing ever arrives but the 408
  };
  for (const address of from) for (let i = 0; i < perAddress; i++) slot(address);
  return {
    held: () => [...open].filter((s) => s.readyState === 'open' && !s.readableEnded).length,
    stop() {
      running = false;
      for (const s of open) s.destroy();
      open.clear();
    },
  };
}
