// Seeded random fault plans for the fault proxy: connection n always gets the same faults for the
// same seed, so a failing run is replayed from its seed. Every connection ends in a cut or reset
// (so faults keep coming while traffic flows), sometimes after a stall or delay. It only draws
// faults; whether they land depends on the traffic, and the proxy reports where each one did.
import { caseSeed, createRng, type Rng } from '../../../tools/fuzz/rng';
import type { Fault } from './fault-proxy';

export interface RandomFaultOptions {
  /** What the link carries: plain MQTT (faults aimed at packets) or TLS (at records and handshake bytes). */
  framing: 'mqtt' | 'tls';
  /** Longest stall and delay, ms. Keep them under the device's patience (keepalive, connect timeout). */
  maxStallMs?: number;
  maxDelayMs?: number;
}

// MQTT packet types [MQTT-2.2.1] and the TLS content type of application data (RFC 5246 6.2.1).
const CONNECT = 1;
const CONNACK = 2;
const PUBLISH = 3;
const PUBACK = 4;
const APP_DATA = 23;

function terminal(r: Rng, framing: 'mqtt' | 'tls'): Fault {
  const action = r.chance(0.5) ? 'cut' : 'reset';
  const kind = r.int(5);
  if (framing === 'mqtt') {
    switch (kind) {
      case 0: // the PUBLISH reached the server, its PUBACK does not reach the client
        return { dir: 'down', action, frame: { type: PUBACK, nth: r.range(1, 4), offset: 0 } };
      case 1: // in the middle of a PUBLISH
        return { dir: 'up', action, frame: { type: PUBLISH, nth: r.range(1, 4), offset: r.range(1, 60) } };
      case 2: // in the middle of a PUBACK
        return { dir: 'down', action, frame: { type: PUBACK, nth: r.range(1, 3), offset: r.range(1, 3) } };
      case 3: // CONNECT or CONNACK cut short
        return r.chance(0.5) ? { dir: 'up', action, frame: { type: CONNECT, nth: 1, offset: r.range(0, 40) } } : { dir: 'down', action, frame: { type: CONNACK, nth: 1, offset: r.range(0, 3) } };
      default: // any byte
        return r.chance(0.6) ? { dir: 'up', action, at: r.range(0, 1200) } : { dir: 'down', action, at: r.range(0, 24) };
    }
  }
  switch (kind) {
    case 0: // right before a record from the server after the handshake (CONNACK, PUBACKs)
      return { dir: 'down', action, frame: { type: APP_DATA, nth: r.range(1, 5), offset: 0 } };
    case 1: // in the middle of a record from the server
      return { dir: 'down', action, frame: { type: APP_DATA, nth: r.range(1, 5), offset: r.range(1, 28) } };
    case 2: // in the middle of a record from the client (CONNECT, PUBLISHes)
      return { dir: 'up', action, frame: { type: APP_DATA, nth: r.range(1, 5), offset: r.range(1, 100) } };
    case 3: // during the handshake
      return { dir: r.chance(0.5) ? 'up' : 'down', action, at: r.range(0, 1500) };
    default: // any byte
      return r.chance(0.5) ? { dir: 'up', action, at: r.range(0, 4000) } : { dir: 'down', action, at: r.range(0, 2500) };
  }
}

/** The faults of one connection: maybe a stall or delay early on, then always a cut or reset. */
export function randomFaults(seed: number, conn: number, o: RandomFaultOptions): Fault[] {
  const r = createRng(caseSeed(seed, conn));
  const out: Fault[] = [];
  if (r.chance(0.4)) {
    const dir = r.chance(0.5) ? 'up' : 'down';
    const at = r.range(0, o.framing === 'mqtt' ? (dir === 'up' ? 300 : 8) : 2500);
    out.push(r.chance(0.5) ? { dir, action: 'stall', at, ms: r.range(50, o.maxStallMs ?? 1500) } : { dir, action: 'delay', at, ms: r.range(5, o.maxDelayMs ?? 150) });
  }
  out.push(terminal(r, o.framing));
  return out;
}

/**
 * A proxy plan: of the first `limit` connections, each gets random faults with probability `rate`
 * (default 1); later connections are clean.
 */
export function randomFaultPlan(seed: number, limit: number, o: RandomFaultOptions, rate = 1): (conn: number) => Fault[] | undefined {
  return (conn) => (conn < limit && createRng(caseSeed(seed ^ 0x5bd1e995, conn)).next() < rate ? randomFaults(seed, conn, o) : undefined);
}
