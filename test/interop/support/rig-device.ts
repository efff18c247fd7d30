// A virtual NodeMCU for rig tests: the exact bundle, provisioned for a path (direct TLS, the LAN
// gateway, or plain MQTT) the way `npm run provision` leaves a device, with its console collected.
// It asserts nothing; tests judge the lines it collects.
import { readFileSync } from 'node:fs';
import { pemToDer } from '../../../tools/pki/dev-pki';
import { createVirtualDevice, type VirtualDevice } from '../../../tools/simulator/device';
import type { Workspace } from './workspace';
import { sleep, until } from './wait';

/** How long press() holds the button. */
export const HOLD_MS = 150;

/** Fast timings for tests; every value is inside config/schema.ts's ranges. */
export const FAST_CONFIG = {
  button: { gestures: false, debounceMs: 20, doubleMs: 400, longMs: 1500 },
  backoff: { baseMs: 100, capMs: 1000 },
  outbox: { max: 500, ttlH: 24 },
  mqtt: { keepaliveS: 30 },
};

/** direct: TLS to a broker (esp32); gateway: the LAN gateway with a secret (esp8266); plain: MQTT over TCP, no credentials (esp8266). */
export type DevicePath = { kind: 'direct'; port: number; host?: string } | { kind: 'gateway'; port: number; secret: string; host?: string } | { kind: 'plain'; port: number; host?: string };

export interface RigDevice {
  device: VirtualDevice;
  thing: string;
  /** Every console line since creation (across reboots). */
  lines: string[];
  /** Seqs the firmware reported as stored ("press ... seq N queued"), in order. */
  queued(): number[];
  /** A short press, HOLD_MS long (gestures off: one SINGLE event on its edge). */
  press(): Promise<void>;
  /** A gesture as a person makes it (needs gestures on to come out as DOUBLE or LONG). */
  gesture(g: 'single' | 'double' | 'long'): Promise<void>;
  /** Resolves with the first line matching `re` at index `from` or later. */
  waitLine(re: RegExp, timeoutMs: number, from?: number): Promise<string>;
  close(): Promise<void>;
}

function deep(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const old = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && old && typeof old === 'object' ? deep(old as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** The config.json a device gets on a path (merged over FAST_CONFIG and then `extra`). */
export function deviceConfig(thing: string, path: DevicePath, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const host = path.host ?? '127.0.0.1';
  const base = deep(FAST_CONFIG, {
    thing,
    wifi: { ssid: 'sim-ap', password: 'sim-pass' },
    mqtt: { host, port: path.port, transport: path.kind === 'direct' ? 'tls' : 'tcp' },
    ...(path.kind === 'gateway' ? { gateway: { secret: path.secret } } : {}),
  });
  return deep(base, extra);
}

/** A virtual NodeMCU provisioned for `path` and booted. Direct needs the esp32 profile (tls), the default for it. */
export function startRigDevice(ws: Workspace, thing: string, path: DevicePath, extra: Record<string, unknown> = {}, boot = true, profile?: 'esp8266' | 'esp32'): RigDevice {
  const lines: string[] = [];
  const device = createVirtualDevice({
    profile: profile ?? (path.kind === 'direct' ? 'esp32' : 'esp8266'),
    console: (text) => {
      for (const l of text.split('\n')) if (l.trim()) lines.push(l.replace(/\r$/, ''));
    },
  });
  const cfg = deviceConfig(thing, path, extra);
  // Provisioned as `npm run provision` does: DER identity files (direct only), config, bundle.
  if (path.kind === 'direct') {
    const id = ws.pki.client(thing);
    device.storage.write('key.der', pemToDer(id.key));
    device.storage.write('cert.der', pemToDer(id.cert));
    device.storage.write('ca.der', pemToDer(ws.pki.ca));
  }
  device.storage.write('config.json', JSON.stringify(cfg));
  device.storage.write('.bootcde', readFileSync(ws.bundle));
  if (boot) device.boot();
  return {
    device,
    thing,
    lines,
    queued: () => lines.map((l) => /^press \S+ seq (\d+) queued/.exec(l)).filter((m) => m !== null).map((m) => Number(m![1])),
    // Held 150 ms, far over the 20 ms debounce. The simulator debounces from each edge's own
    // timestamp (watches.ts), so a host that runs late no longer turns a press into a bounce.
    press: () => device.press(HOLD_MS),
    async gesture(g) {
      if (g === 'long') return device.press(1800);
      await device.press(HOLD_MS);
      if (g === 'double') {
        await sleep(120);
        await device.press(HOLD_MS);
      }
    },
    async waitLine(re, timeoutMs, from = 0) {
      let hit: string | undefined;
      await until(
        () => (hit = lines.slice(from).find((l) => re.test(l))) !== undefined,
        timeoutMs,
        () => `${thing}: no console line matching ${re}; last lines:\n${lines.slice(-15).join('\n')}`,
      );
      return hit!;
    },
    close: () => device.close(),
  };
}

