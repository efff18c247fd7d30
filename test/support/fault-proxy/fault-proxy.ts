// A TCP proxy that breaks connections on purpose: cut (FIN), reset (RST), stall or delay a
// connection at a chosen byte offset in either direction, or at an offset into the nth MQTT packet
// or TLS record of a type (e.g. right before a PUBACK: the PUBLISH got through, its ack does not).
// It does not decrypt TLS, retry, or change bytes; each new connection takes its faults from `plan`.
import net from 'node:net';
import { createFramer, type Framer, type Framing } from './frames';

/** up: client to server (the device's bytes); down: server to client. */
export type Direction = 'up' | 'down';
export type FaultAction = 'cut' | 'reset' | 'stall' | 'delay';

export interface Fault {
  dir: Direction;
  action: FaultAction;
  /** Stream offset in `dir` where the fault takes effect: the bytes before it pass untouched. */
  at?: number;
  /** Instead of `at`: `offset` bytes into the `nth` (from 1) frame of `type` in `dir` (needs framing). */
  frame?: { type: number; nth: number; offset: number };
  /** stall: how long nothing moves in `dir` (Infinity: never again, a black hole); delay: latency added to every later chunk. */
  ms?: number;
}

export interface FiredFault {
  /** Index of the connection (0 = the first the proxy accepted). */
  conn: number;
  fault: Fault;
  /** Stream offset in fault.dir where it took effect. */
  offset: number;
  /** The frame it landed in (framing on): its type, how far in (0 = between frames), its length (-1 = header cut). */
  landed?: { type: number; into: number; length: number };
}

export interface FaultProxyOptions {
  target: { host?: string; port: number };
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How to find packet boundaries in both directions; default 'none'. */
  framing?: Framing;
  /** The faults for connection number `conn` (0-based, in accept order). */
  plan?: (conn: number) => Fault[] | undefined;
  onFire?: (f: FiredFault) => void;
}

export interface FaultProxy {
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Every fault that took effect, in order. */
  fired: FiredFault[];
  setPlan(plan: FaultProxyOptions['plan']): void;
  /** Cuts or resets every open connection now. */
  breakAll(action: 'cut' | 'reset'): void;
  close(): Promise<void>;
}

interface Armed extends Fault {
  seen: number; // frames of frame.type seen so far
  done: boolean;
}

interface Pipe {
  dir: Direction;
  src: net.Socket;
  dst: net.Socket;
  framer: Framer;
  pos: number;
  queue: { buf: Buffer; at: number }[];
  timer?: NodeJS.Timeout;
  stallEnd: number;
  delayMs: number;
  ended: boolean;
}

/** FIN once pending writes are out, then release the socket (also if the peer never reads). */
function endThenDestroy(s: net.Socket): void {
  if (s.destroyed) return;
  s.end();
  s.once('finish', () => s.destroy());
  setTimeout(() => s.destroy(), 1000).unref();
}

/**
 * RST, so the peer sees ECONNRESET. Node 20 sends a plain FIN instead when the reset comes in the
 * same loop turn as a write (seen on Linux, also with setImmediate): let the bytes before the
 * fault leave first, with a short timer (or a drain when they are still queued).
 */
function resetSoon(s: net.Socket): void {
  let done = false;
  const go = () => {
    if (done || s.destroyed) return;
    done = true;
    try {
      s.resetAndDestroy();
    } catch {
      s.destroy();
    }
  };
  if (s.writableLength) s.once('drain', () => setTimeout(go, 5));
  setTimeout(go, s.writableLength ? 200 : 5).unref();
}

export function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  let plan = opts.plan;
  let count = 0;
  const fired: FiredFault[] = [];
  const live = new Set<{ kill(action: 'cut' | 'reset'): void }>();

  function handle(client: net.Socket): void {
    const conn = count++;
    const faults: Armed[] = (plan?.(conn) ?? []).map((f) => ({ ...f, seen: 0, done: false }));
    const server = net.connect({ host: opts.target.host ?? '127.0.0.1', port: opts.target.port, allowHalfOpen: true });
    let dead = false;
    const entry = { kill };
    live.add(entry);

    function kill(action: 'cut' | 'reset'): void {
      if (dead) return;
      dead = true;
      for (const p of pipes) clearTimeout(p.timer);
      for (const s of [client, server]) {
        if (action === 'reset') resetSoon(s);
        else endThenDestroy(s); // FIN after what was already written
      }
    }

    const pipe = (dir: Direction, src: net.Socket, dst: net.Socket): Pipe => ({
      dir, src, dst, framer: createFramer(opts.framing ?? 'none'), pos: 0, queue: [], stallEnd: 0, delayMs: 0, ended: false,
    });
    const pipes = [pipe('up', client, server), pipe('down', server, client)];

    function flush(p: Pipe): void {
      p.timer = undefined;
      if (dead) return;
      const now = Date.now();
      while (p.queue.length && p.queue[0].at <= now) p.dst.write(p.queue.shift()!.buf);
      if (p.queue.length) schedule(p);
      else if (p.ended) p.dst.end();
    }

    function schedule(p: Pipe): void {
      if (p.timer || !p.queue.length || p.queue[0].at === Infinity) return;
      p.timer = setTimeout(() => flush(p), Math.max(0, p.queue[0].at - Date.now()));
    }

    function emit(p: Pipe, buf: Buffer): void {
      if (!buf.length || dead) return;
      const now = Date.now();
      if (!p.queue.length && p.stallEnd <= now && !p.delayMs) {
        p.dst.write(buf);
        return;
      }
      const last = p.queue.length ? p.queue[p.queue.length - 1].at : 0;
      p.queue.push({ buf, at: Math.max(now + p.delayMs, p.stallEnd, last) });
      schedule(p);
    }

    function fire(p: Pipe, f: Armed, offset: number): void {
      f.done = true;
      const fr = p.framer.locate(offset);
      const rec: FiredFault = {
        conn,
        fault: { dir: f.dir, action: f.action, at: f.at, frame: f.frame, ms: f.ms },
        offset,
        landed: fr ? { type: fr.type, into: offset - fr.start, length: fr.length } : undefined,
      };
      fired.push(rec);
      opts.onFire?.(rec);
      if (f.action === 'cut' || f.action === 'reset') return kill(f.action);
      const ms = f.ms ?? 1000;
      if (f.action === 'stall') {
        p.stallEnd = ms === Infinity ? Infinity : Date.now() + ms;
        for (const q of p.queue) q.at = Math.max(q.at, p.stallEnd);
      } else p.delayMs = ms;
    }

    function onData(p: Pipe, chunk: Buffer): void {
      if (dead) return;
      const base = p.pos;
      const end = base + chunk.length;
      // Aim frame-relative faults at the frames that start in this chunk.
      for (const fr of p.framer.feed(chunk)) {
        for (const f of faults) {
          if (f.dir === p.dir && f.frame && f.at === undefined && fr.type === f.frame.type && ++f.seen === f.frame.nth) f.at = fr.start + f.frame.offset;
        }
      }
      let i = 0;
      for (;;) {
        let next: Armed | undefined;
        for (const f of faults) if (!f.done && f.dir === p.dir && f.at !== undefined && f.at < end && (!next || f.at < next.at!)) next = f;
        if (!next) break;
        const k = Math.max(next.at! - base, i);
        emit(p, chunk.subarray(i, k));
        i = k;
        fire(p, next, base + k);
        if (dead) return;
      }
      emit(p, chunk.subarray(i));
      p.pos = end;
    }

    for (const p of pipes) {
      p.src.on('data', (d: Buffer) => onData(p, d));
      p.src.on('end', () => {
        p.ended = true;
        if (!dead && !p.queue.length) p.dst.end();
      });
    }
    let closed = 0;
    for (const s of [client, server]) {
      // Pass a peer's reset on as a reset; any other socket error ends the connection.
      s.on('error', (e: NodeJS.ErrnoException) => kill(e.code === 'ECONNRESET' ? 'reset' : 'cut'));
      s.on('close', () => {
        // A side that is gone cannot take bytes any more: the connection is over.
        if (++closed === 1) {
          const other = s === client ? server : client;
          const from = pipes.find((p) => p.src === s)!;
          if (dead) return; // kill() is closing both, its own way
          if (!from.queue.length) endThenDestroy(other);
          else from.ended = true; // flush() ends it once the held bytes are out
        } else {
          dead = true;
          for (const p of pipes) clearTimeout(p.timer);
          live.delete(entry);
        }
      });
    }
  }

  const srv = net.createServer({ allowHalfOpen: true }, handle);
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      srv.off('error', reject);
      const a = srv.address();
      resolve({
        port: typeof a === 'object' && a ? a.port : 0,
        connections: () => count,
        fired,
        setPlan(p) {
          plan = p;
        },
        breakAll(action) {
          for (const c of [...live]) c.kill(action);
        },
        close: () =>
          new Promise<void>((done) => {
            for (const c of [...live]) c.kill('reset');
            srv.close(() => done());
          }),
      });
    });
  });
}
