// Finds where records start in one direction of a TCP stream, so faults can be aimed at a packet
// (and reported as landing mid-packet or between packets): MQTT packets (fixed header and
// Remaining Length [MQTT-2.2]) or TLS records (5-byte header, RFC 5246 6.2.1). It never changes
// or validates bytes: garbage simply frames as garbage.

export type Framing = 'mqtt' | 'tls' | 'none';

export interface Frame {
  /** Offset of the frame's first byte in the direction's stream. */
  start: number;
  /** MQTT: the packet type (first byte >> 4), e.g. 3 PUBLISH, 4 PUBACK. TLS: the content type, 23 = application data. */
  type: number;
  /** Header plus body in bytes, or -1 while the header is not complete. */
  length: number;
}

export interface Framer {
  /** Takes the next bytes of the stream; returns the frames that start in them. */
  feed(chunk: Buffer): Frame[];
  /** The frame that holds stream offset `at`, among those seen so far. */
  locate(at: number): Frame | undefined;
}

export function createFramer(kind: Framing): Framer {
  const frames: Frame[] = [];
  let pos = 0;
  let cur: Frame | undefined;
  let hdr: number[] = []; // header bytes of `cur` read so far
  let left = 0; // body bytes of `cur` still to come

  /** MQTT: 1 type byte + 1..4 length bytes; TLS: 5 bytes. Returns the body length once known. */
  function headerDone(): number | undefined {
    if (kind === 'tls') return hdr.length === 5 ? (hdr[3] << 8) | hdr[4] : undefined;
    if (hdr.length < 2) return undefined;
    const last = hdr[hdr.length - 1];
    if (last & 128 && hdr.length < 5) return undefined;
    let n = 0;
    for (let i = hdr.length - 1; i >= 1; i--) n = n * 128 + (hdr[i] & 127);
    return n;
  }

  return {
    feed(chunk) {
      const started: Frame[] = [];
      if (kind === 'none') {
        pos += chunk.length;
        return started;
      }
      for (let i = 0; i < chunk.length; i++, pos++) {
        if (!cur) {
          cur = { start: pos, type: kind === 'tls' ? chunk[i] : chunk[i] >> 4, length: -1 };
          hdr = [chunk[i]];
          frames.push(cur);
          started.push(cur);
          continue; // no header is complete after one byte
        }
        if (cur.length < 0) {
          hdr.push(chunk[i]);
          const body = headerDone();
          if (body === undefined) continue;
          cur.length = hdr.length + body;
          left = body;
          if (left === 0) cur = undefined;
          continue;
        }
        // Skip the body in one step.
        const take = Math.min(left, chunk.length - i);
        left -= take;
        i += take - 1;
        pos += take - 1;
        if (left === 0) cur = undefined;
      }
      return started;
    },
    locate(at) {
      // Frames are in order: binary search for the last one starting at or before `at`.
      let lo = 0;
      let hi = frames.length - 1;
      let hit: Frame | undefined;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (frames[mid].start <= at) {
          hit = frames[mid];
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (!hit) return undefined;
      return hit.length < 0 || at < hit.start + hit.length ? hit : undefined;
    },
  };
}
