// A throwaway dev PKI in a temp directory for one test file, plus MQTT.js options for its identities.
// Generate it once per file (beforeAll): each RSA 2048 key costs about 0.1-0.3 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki, type DevPki } from '../../tools/pki/dev-pki';

export interface TempPki {
  pki: DevPki;
  /** TLS options for MQTT.js (or node:tls) as the thing `cn`. */
  tlsFor(cn: string): { key: string; cert: string; ca: string };
  cleanup(): void;
}

export function createTempPki(): TempPki {
  const dir = mkdtempSync(join(tmpdir(), 'dev-pki-'));
  const pki = ensureDevPki(dir);
  return {
    pki,
    tlsFor(cn) {
      const id = pki.client(cn);
      return { key: id.key, cert: id.cert, ca: pki.ca };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
