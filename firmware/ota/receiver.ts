// The update receiver: takes a bundle in chunks from devices/<thing>/ota/in into the spare slot
// (pre-sized once, filled without erases), verifies length, CRC-32 and (gateway mode) the HMAC,
// then switches by one byte in the boot log and restarts; it also marks and proves a trial and
// reports outcomes. It is not resident: hook.ts loads it from Storage (ota.js) only while there is
// something to do. It never touches the proven slot, so a power cut anywhere leaves it bootable.
import type { Log } from '../ports';
import { Mq, type MqttClient, type MqttPacket, type Packet } from '../core/mqtt/client';
import type { AppEv, Link } from '../core/dispatch';
import { gatewayAuth, Gw, type Sha1 } from '../core/gateway-auth';
import { LOG_BYTES, LOG_FILE, replayLog, rollbackReason, TRIES } from './boot-log';
import { compareVersions } from './version';
import { Topic } from '../core/wire-contract';

/** Storage as the receiver uses it (Espruino's Storage module on the device). */
export interface OtaStore {
  read(name: string, offset?: number, length?: number): string | undefined;
  write(name: string, data: string, offset?: number, size?: number): boolean;
  erase(name: string): void;
}

export interface ReceiverPorts {
  store: OtaStore;
  /** Bytes a new file may take (free plus reclaimable), before the spare slot is replaced. */
  room(): number;
  crc32(s: string): number;
  sha1: Sha1;
  log: Log;
  /** Restarts into the loader (load() on the device). */
  restart(): void;
  after(ms: number, fn: () => void): number;
  cancel(id: number): void;
  /** mqtt.topicPrefix + '/' + thing + '/'. */
  prefix: string;
  /** The gateway secret; '' in direct mode, where AWS IoT's policy on the topic authenticates. */
  secret: string;
}

/** (ev, client, running version, packet): 1 when nothing is left to do and it may be freed. */
export type Receiver = (ev: number, client?: MqttClient, fw?: string, pkt?: MqttPacket) => number;

/**
 * What the receiver is told: the app's own event numbers (core/dispatch.ts, core/mqtt/types.ts),
 * written again because esbuild cannot fold another file's enum into an enum's value; RxIsTheApps
 * below fails to compile if they drift apart.
 */
export const enum Rx {
  Publish = 3,
  Puback = 4,
  Up = 20,
  Down = 21,
  WifiUp = 30,
}

type Same<A extends number, B extends number> = `${A}` extends `${B}` ? true : false;
type Assert<T extends true[]> = T;
/** Compile time only (a type): each Rx value is the app's. */
export type RxIsTheApps = Assert<
  [Same<Rx.Publish, Packet.Publish>, Same<Rx.Puback, Packet.Puback>, Same<Rx.Up, Link.Up>, Same<Rx.Down, Link.Down>, Same<Rx.WifiUp, AppEv.WifiUp>]
>;

/**
 * Chunk bytes the device asks for. A chunk is held three times while handled (the client's buffer,
 * the packet's payload, the slice written): with 512 the receiver peaked at +318 JsVars on 2v29.
 */
export const CHUNK = 256;
/** Staged update: what begin said, kept in flash so a reconnect, or a gateway restart, resumes. */
export const META = 'ota.new';
/** Log bytes an update may need (switch, 3 boots of marks, outcome, report), so no compaction mid-trial. */
const NEED_LOG = 16;
/** Time connected that proves a trial even without a PUBACK. */
export const PROVE_MS = 120000;

interface Meta {
  v: string;
  n: number;
  crc: number;
  mac?: string;
  down?: number;
}

export function createReceiver(p: ReceiverPorts): Receiver {
  // RAM: one function object stays (the receiver, also its own timer callback); the helpers are
  // made per call and freed on return, and the ports are copied to locals (MEMORY.md's rules).
  // Built as a closure per helper, the receiver held 186 JsVars on 2v29; this way far fewer.
  const S = p.store;
  const room = p.room;
  const crc32 = p.crc32;
  const sha1 = p.sha1;
  const log = p.log;
  const restart = p.restart;
  const after = p.after;
  const cancel = p.cancel;
  const prefix = p.prefix;
  const secret = p.secret;
  p = 0 as never;
  let cur: Meta | 0 = 0; // the update being received
  let slot = ''; // its staging slot file
  let next = 0; // the next byte expected
  let tm = 0; // the proving timer
  let marks = ''; // what this boot of a trial has recorded already (once each per boot)
  let gone = 0; // 1 once switched: this firmware is about to restart and must not prove the trial
  let ver = ''; // the running version, for the timer's proof

  function rx(ev?: number, c?: MqttClient, fw?: string, pkt?: MqttPacket): number {
    if (gone) return 0;
    if (fw) ver = fw;
    const st = replayLog(S.read(LOG_FILE));
    // Only a booted trial marks and proves: right after the switch, the old firmware still runs.
    if (!st.tries) st.trial = '';

    const say = (o: object, q?: number): void => {
      if (c) c(Mq.Publish, prefix + Topic.OtaOut, JSON.stringify(o), q ? 1 : 0, false);
    };
    const append = (rec: string): void => {
      try {
        S.write(LOG_FILE, rec, replayLog(S.read(LOG_FILE)).end);
      } catch (e) {
        log('ota: boot log full, ' + rec + ' not recorded');
      }
    };
    // A refused begin changes nothing in flash; a refused transfer drops what it staged.
    const refuse = (why: string, v?: string, staged?: number): number => {
      log('ota: refused: ' + why);
      say({ s: 'refused', v: v, why: why }, 1);
      cur = 0;
      if (staged) {
        S.erase(slot);
        S.erase(META);
      }
      return 1;
    };
    const meta = (): Meta | undefined => {
      try {
        return JSON.parse(S.read(META) || '');
      } catch (e) {
        return undefined;
      }
    };
    // The outcome goes out once, QoS 1; then the staged metadata is dropped.
    const report = (): void => {
      const s2 = replayLog(S.read(LOG_FILE));
      if (!s2.unreported || !c) return;
      const m = meta();
      const why = rollbackReason(s2.seen);
      if (s2.unreported === 'k') say({ s: 'ok', v: ver }, 1);
      else say({ s: 'rolledback', v: ver, failed: m ? m.v : '', why: why }, 1);
      log('ota: ' + (s2.unreported === 'k' ? 'running ' + ver + ', proven' : 'rolled back to ' + ver + ': ' + why));
      append('z');
      S.erase(META);
    };

    if (ev === undefined) {
      // The timer: connected long enough to count as proven.
      tm = 0;
      if (st.trial) append('k');
      return 0;
    }
    if (ev === Rx.WifiUp) {
      if (st.trial && marks.indexOf('w') < 0) {
        marks += 'w';
        append('w');
      }
    } else if (ev === Rx.Up) {
      if (st.trial) {
        if (marks.indexOf('m') < 0) append('m');
        marks += 'm';
        if (!tm) tm = after(PROVE_MS, rx);
      } else report();
    } else if (ev === Rx.Puback) {
      if (st.trial) {
        if (tm) cancel(tm);
        tm = 0;
        append('k');
        report();
        return 1;
      }
    } else if (ev === Rx.Down) {
      if (tm) cancel(tm);
      tm = 0;
    } else if (ev === Rx.Publish && pkt && pkt.topic === prefix + Topic.OtaIn) {
      const b = '' + pkt.payload;
      pkt = 0 as never; // the chunk is held once less while it is written
      if (b[0] !== 'c') {
        // begin: {v, n, crc, mac?, down?}
        let m: Meta;
        try {
          m = JSON.parse(b);
        } catch (e) {
          return refuse('unreadable message');
        }
        if (st.trial || st.unreported) return refuse('busy: the last update has not proven itself yet', m.v);
        if (typeof m.v !== 'string' || !(m.n > 0) || m.n !== Math.floor(m.n) || typeof m.crc !== 'number') return refuse('begin needs v, n and crc', m.v);
        const cmp = compareVersions(m.v, fw!);
        if (!cmp) return refuse('already running ' + fw, m.v);
        if (cmp < 0 && !m.down) return refuse(m.v + ' is older than ' + fw + ' (allow a downgrade to install it)', m.v);
        if (secret && typeof m.mac !== 'string') return refuse('unsigned bundle in gateway mode', m.v);
        if (!S.read('fw.' + st.good)) return refuse('no A/B slots on this device: flash it once with npm run flash', m.v);
        slot = st.good === 'a' ? 'fw.b' : 'fw.a';
        const old = meta();
        const staged = S.read(slot);
        if (old && old.v === m.v && old.n === m.n && old.crc === m.crc && old.mac === m.mac && staged && staged.length === m.n + 1) {
          // Resume: the bundle is ASCII, so the first erased byte is where it stopped.
          const k = staged.indexOf('\xff');
          next = k < 0 ? m.n : k - 1;
        } else {
          const have = (staged ? staged.length : 0) + room();
          if (m.n + 1 > have) return refuse('bundle of ' + m.n + ' bytes does not fit the ' + have + ' bytes of Storage left', m.v);
          // The spare slot goes first: then a cut while the log is rewritten leaves one slot to boot.
          if (st.end + NEED_LOG > LOG_BYTES) {
            S.erase(slot);
            S.write(LOG_FILE, st.good, 0, LOG_BYTES);
          }
          S.write(META, JSON.stringify(m));
          try {
            S.write(slot, '\n', 0, m.n + 1);
          } catch (e) {
            return refuse('Storage full: cannot make room for ' + m.n + ' bytes', m.v, 1);
          }
          next = 0;
        }
        cur = m;
        log('ota: receiving ' + m.v + ' (' + m.n + ' bytes) into ' + slot + (next ? ' from byte ' + next : ''));
        say({ s: 'ready', v: m.v, next: next, chunk: CHUNK });
        return 0;
      }
      // A chunk: "c<offset>:<bytes>".
      const m = cur;
      if (!m) {
        say({ s: 'again' }); // no update under way here (restarted?): begin again
        return 1;
      }
      const k = b.indexOf(':');
      const off = parseInt(b.substr(1, k - 1), 10);
      if (off === next) {
        const n = b.length - k - 1;
        if (k < 2 || !n || off + n > m.n || b.indexOf('\xff') >= 0) return refuse('bad chunk at byte ' + off, m.v, 1);
        S.write(slot, b.substr(k + 1), off + 1);
        next += n;
      }
      // A missing chunk (off > next) or a repeated one (off < next): say where to go on.
      if (next < m.n) {
        say({ s: 'ack', next: next });
        return 0;
      }
      // Verify before anything changes: length, CRC-32, and in gateway mode the HMAC over version,
      // length and the bundle's SHA-1 (crypto.SHA1 and E.CRC32 read the flash string in place: no
      // RAM copy, measured on 2v29).
      const f = S.read(slot);
      let bad = !f || f.length !== m.n + 1 ? 'length' : crc32(S.read(slot, 1)!) !== m.crc ? 'CRC-32' : '';
      if (!bad && secret) {
        let h = '';
        const dg = sha1(S.read(slot, 1)!);
        for (let i = 0; i < dg.length; i++) h += (256 + dg.charCodeAt(i)).toString(16).slice(1);
        if (gatewayAuth(Gw.Hmac, secret, 'ota|' + m.v + '|' + m.n + '|' + h, '', sha1) !== m.mac) bad = 'HMAC';
      }
      if (bad) return refuse('bundle fails its ' + bad + ' check', m.v, 1);
      // The switch: one byte. Before it the proven slot boots, after it the trial does.
      append(slot === 'fw.a' ? 'A' : 'B');
      log('ota: ' + m.v + ' verified, restarting into ' + slot + ' on trial (' + TRIES + ' boots to prove itself)');
      say({ s: 'switching', v: m.v }, 1);
      cur = 0;
      gone = 1;
      after(1000, restart);
      return 0;
    }
    return cur || st.trial || st.unreported ? 0 : 1;
  }
  return rx;
}
