// Identities for the gateway bench's virtual things: a dev PKI (client certificate per thing) and
// a gateway store listing every thing with its secret. RSA 2048 keys cost ~0.15 s each, so missing
// certificates are made by one child process per core, in a directory the caller may keep between
// runs. It does not delete anything: the caller owns both directories.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki, type DevPki } from '../pki/dev-pki';
import { generateDeviceSecret } from '../gateway/device-store';
import { enrolDevice } from '../provision/gateway-enrolment';

/** Below this many missing certificates, starting child processes costs more than it saves. */
const PARALLEL_FROM = 16;

function run(cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(cwd, 'tools/bench/gateway-certs-worker.ts'), ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`certificate worker failed (${code}): ${err.trim()}`))));
  });
}

/** The PKI in `dir` with a certificate for each thing (and `observer`); returns how many it issued. */
export async function prepareThingPki(cwd: string, dir: string, things: string[]): Promise<{ pki: DevPki; issued: number }> {
  const pki = ensureDevPki(dir); // CA and broker certificate first, so the workers share them
  const missing = [...things, 'observer'].filter((t) => !existsSync(join(pki.dir, `${t}.crt`)));
  if (missing.length >= PARALLEL_FROM) {
    const n = Math.max(1, availableParallelism());
    const shares = Array.from({ length: n }, (_, i) => missing.filter((_t, j) => j % n === i));
    await Promise.all(shares.filter((s) => s.length > 0).map((s) => run(cwd, [pki.dir, ...s])));
  }
  // Loads and checks every certificate (and issues any a worker left out): ~2 ms each when present.
  for (const t of [...things, 'observer']) pki.client(t);
  return { pki, issued: missing.length };
}

/** A gateway store in `storeDir` with every thing, its certificate and a fresh secret. */
export function prepareGatewayStore(storeDir: string, pki: DevPki, things: string[]): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const thing of things) {
    const id = pki.client(thing);
    secrets[thing] = generateDeviceSecret();
    enrolDevice(storeDir, thing, secrets[thing], { certPem: id.cert, keyPem: id.key });
  }
  return secrets;
}
