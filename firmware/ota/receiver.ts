// The update receiver: takes a bundle in chunks from devices/<thing>/ota/in into the spare slot
// (pre-sized once, filled without erases), verifies length, CRC-32 and (gateway mode) the HMAC,
// then switches by one byte in the boot log and restarts; it also marks and proves a trial and
// reports outcomes. It is not resident: hook.ts loads it from Storage (ota.js) only while there is
// something to do. It never touches the proven slot, so a power cut anywhere leaves it bootable.
import type { Log } from '../ports';
import { Mq, type MqttClient, type MqttPacket } from '../core/mqtt/client';
import { gatewayAuth, Gw, type Sha1 } from '../core/gateway-auth';
import { LOG_BYTES, LOG_FILE, replayLog, rollbackReason, TRIES } from './boot-log';
import { compareVersions } from './version';

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

/** What the receiver is told; the numbers are the app's own events (app.ts, connection.ts). */
export const enum Rx {
  Publish = 3,
  Puback = 4,
  Up = 20,
  Down = 21,
  WifiUp = 30,
}

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
  const S = p.store;
  const topic = p.prefix + 'ota/out';
  let cur: Meta | 0 = 0; // the update being received
  let slot = ''; // its staging slot file
  let next = 0; // the next byte expected
  let tm = 0; // the proving timer
  let marks = ''; // what this boot of a trial has recorded already (once each per boot)
  let gone = 0; // 1 once switched: this firmware is about to restart and must not prove the trial

  function say(c: MqttClient | undefined, o: object, q?: number): void {
    if (c) c(Mq.Publish, topic, JSON.stringify(o), q ? 1 : 0, false);
  }
  function append(rec: string): void {
    const st = replayLog(S.read(LOG_FILE));
    try {
      S.write(LOG_FILE, rec, st.end);
    } catch (e) {
      p.log('ota: boot log full, ' + rec + ' not recorded');
    }
  }
  // A refused begin changes nothing in flash; a refused transfer drops what it staged.
  function refuse(c: MqttClient | undefined, why: string, v?: string, staged?: number): number {
    p.log('ota: refused: ' + why);
    say(c, { s: 'refused', v: v, why: why }, 1);
    cur = 0;
    if (staged) {
      S.erase(slot);
      S.erase(META);
    }
    return 1;
  }
  function meta(): Meta | undefined {
    try {
      return JSON.parse(S.read(META) || '');
    } catch (e) {
      return undefined;
    }
  }
  // The outcome goes out once, QoS 1; then the staged metadata is dropped.
  function report(c: MqttClient, fw: string): void {
    const st = replayLog(S.read(LOG_FILE));
    if (!st.unreported) return;
    const m = meta();
    if (st.unreported === 'k') say(c, { s: 'ok', v: fw }, 1);
    else say(c, { s: 'rolledback', v: fw, failed: m ? m.v : '', why: rollbackReason(st.seen) }, 1);
    p.log('ota: ' + (st.unreported === 'k' ? 'running ' + fw + ', proven' : 'rolled back to ' + fw + ': ' + rollbackReason(st.seen)));
    append('z');
    S.erase(META);
  }
  function prove(c: MqttClient | undefined, fw: string): number {
    if (tm) p.cancel(tm);
    tm = 0;
    append('k');
    if (c) report(c, fw);
    return 0;
  }

  function begin(c: MqttClient, fw: string, m: Meta): number {
    const st = replayLog(S.read(LOG_FILE));
    if (st.trial || st.unreported) return refuse(c, 'busy: the last update has not proven itself yet', m.v);
    if (typeof m.v !== 'string' || !(m.n > 0) || m.n !== Math.floor(m.n) || typeof m.crc !== 'number') return refuse(c, 'begin needs v, n and crc', m.v);
    const cmp = compareVersions(m.v, fw);
    if (!cmp) return refuse(c, 'already running ' + fw, m.v);
    if (cmp < 0 && !m.down) return refuse(c, m.v + ' is older than ' + fw + ' (allow a downgrade to install it)', m.v);
    if (p.secret && typeof m.mac !== 'string') return refuse(c, 'unsigned bundle in gateway mode', m.v);
    const good = 'fw.' + st.good;
    if (!S.read(good)) return refuse(c, 'no A/B slots on this device: flash it once with npm run flash', m.v);
    slot = st.good === 'a' ? 'fw.b' : 'fw.a';
    const old = meta();
    const staged = S.read(slot);
    if (old && old.v === m.v && old.n === m.n && old.crc === m.crc && old.mac === m.mac && staged && staged.length === m.n + 1) {
      // Resume: the bundle is ASCII, so the first erased byte is where it stopped.
      const k = staged.indexOf('\xff');
      next = k < 0 ? m.n : k - 1;
    } else {
      const have = staged ? staged.length : 0;
      if (m.n + 1 > p.room() + have) return refuse(c, 'bundle of ' + m.n + ' bytes does not fit the ' + (p.room() + have) + ' bytes of Storage left', m.v);
      // The spare slot goes first: then a cut while the log is rewritten leaves one slot to boot.
      if (st.end + NEED_LOG > LOG_BYTES) {
        S.erase(slot);
        S.write(LOG_FILE, st.good, 0, LOG_BYTES);
      }
      S.write(META, JSON.stringify(m));
      try {
        S.write(slot, '\n', 0, m.n + 1);
      } catch (e) {
        return refuse(c, 'Storage full: cannot make room for ' + m.n + ' bytes', m.v, 1);
      }
      next = 0;
    }
    cur = m;
    p.log('ota: receiving ' + m.v + ' (' + m.n + ' bytes) into ' + slot + (next ? ' from byte ' + next : ''));
    say(c, { s: 'ready', v: m.v, next: next, chunk: CHUNK });
    return 0;
  }

  function chunk(c: MqttClient, body: string): number {
    const k = body.indexOf(':');
    const off = parseInt(body.substr(1, k - 1), 10);
    const m = cur;
    if (!m) {
      say(c, { s: 'again' }); // no update under way here (restarted?): begin again
      return 1;
    }
    const d = body.substr(k + 1);
    if (off === next) {
      if (k < 2 || !d.length || off + d.length > m.n || d.indexOf('\xff') >= 0) return refuse(c, 'bad chunk at byte ' + off, m.v, 1);
      S.write(slot, d, off + 1);
      next += d.length;
    }
    // A missing chunk (off > next) or a repeated one (off < next): say where to go on.
    if (next < m.n) {
      say(c, { s: 'ack', next: next });
      return 0;
    }
    // Verify before anything changes: length, CRC-32, and in gateway mode the HMAC over
    // version, length and the bundle's SHA-1 (crypto.SHA1 and E.CRC32 read the flash string in
    // place: no RAM copy, measured on 2v29).
    const f = S.read(slot);
    let bad = !f || f.length !== m.n + 1 ? 'length' : p.crc32(S.read(slot, 1)!) !== m.crc ? 'CRC-32' : '';
    if (!bad && p.secret) {
      let h = '';
      const dg = p.sha1(S.read(slot, 1)!);
      for (let i = 0; i < dg.length; i++) h += (256 + dg.charCodeAt(i)).toString(16).slice(1);
      if (gatewayAuth(Gw.Hmac, p.secret, 'ota|' + m.v + '|' + m.n + '|' + h, '', p.sha1) !== m.mac) bad = 'HMAC';
    }
    if (bad) return refuse(c, 'bundle fails its ' + bad + ' check', m.v, 1);
    // The switch: one byte. Before it the proven slot boots, after it the trial does.
    append(slot === 'fw.a' ? 'A' : 'B');
    p.log('ota: ' + m.v + ' verified, restarting into ' + slot + ' on trial (' + TRIES + ' boots to prove itself)');
    say(c, { s: 'switching', v: m.v }, 1);
    cur = 0;
    gone = 1;
    p.after(1000, p.restart);
    return 0;
  }

  return function (ev, c, fw, pkt) {
    if (gone) return 0;
    const st = replayLog(S.read(LOG_FILE));
    // Only a booted trial marks and proves: right after the switch, the old firmware still runs.
    if (!st.tries) st.trial = '';
    if (ev === Rx.WifiUp) {
      if (st.trial && marks.indexOf('w') < 0) {
        marks += 'w';
        append('w');
      }
    } else if (ev === Rx.Up) {
      if (st.trial) {
        if (marks.indexOf('m') < 0) append('m');
        marks += 'm';
        if (!tm) tm = p.after(PROVE_MS, function () {
          tm = 0;
          prove(undefined, fw!);
        });
      } else report(c!, fw!);
    } else if (ev === Rx.Puback) {
      if (st.trial) return prove(c, fw!);
    } else if (ev === Rx.Down) {
      if (tm) p.cancel(tm);
      tm = 0;
      if (!cur) return st.trial || st.unreported ? 0 : 1;
    } else if (ev === Rx.Publish && pkt && pkt.topic === p.prefix + 'ota/in') {
      const b = '' + pkt.payload;
      if (b[0] === 'c') return chunk(c!, b);
      let m: Meta;
      try {
        m = JSON.parse(b);
      } catch (e) {
        return refuse(c, 'unreadable message');
      }
      return begin(c!, fw!, m);
    }
    return cur || st.trial || st.unreported ? 0 : 1;
  };
}
