// What the tests that run a command against a virtual NodeMCU share: a temp project folder with the
// exact bundle, a temp dev PKI, simulators serving their console on TCP (closed by close()), and
// certs/<thing>/ laid out as aws-setup leaves it. Brokers and gateways are each test's own.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFirmware } from '../../tools/build/build-firmware';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { createTempPki, type TempPki } from './pki';

export interface ProvisionBench {
  temp: TempPki;
  /** The project folder the commands run in. */
  cwd: string;
  /** The firmware bundle's text. */
  bundle: string;
  /**
   * A virtual NodeMCU on a free console port, with the firmware stored unless `withFirmware` is
   * false; `lan` also serves its telnet console and port-88 stand-in (0 = any free port).
   */
  device(profile: 'esp8266' | 'esp32', withFirmware?: boolean, lan?: { telnet?: number; fota?: number }): Promise<RunningSimulator>;
  /** certs/<thing>/ as aws-setup leaves it (the dev CA stands in for AmazonRootCA1); `info` is its thing.json. */
  identityFolder(thing: string, info?: Record<string, unknown>): { certPem: string; keyPem: string };
  close(): Promise<void>;
}

export async function createProvisionBench(name: string): Promise<ProvisionBench> {
  const temp = createTempPki();
  const cwd = mkdtempSync(join(tmpdir(), `${name}-`));
  const bundle = readFileSync((await buildFirmware({ cwd: process.cwd(), outFile: join(cwd, 'firmware.js'), budgetBytes: 64 * 1024, log: () => {} })).outFile, 'latin1');
  const sims: RunningSimulator[] = [];
  return {
    temp,
    cwd,
    bundle,
    async device(profile, withFirmware = true, lan) {
      const sim = await runSimulator({ consolePort: 0, profile, bundle: withFirmware ? bundle : undefined, lan });
      sims.push(sim);
      return sim;
    },
    identityFolder(thing, info) {
      const id = temp.pki.client(thing);
      const dir = join(cwd, 'certs', thing);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'certificate.pem.crt'), id.cert);
      writeFileSync(join(dir, 'private.pem.key'), id.key);
      writeFileSync(join(dir, 'AmazonRootCA1.pem'), temp.pki.ca);
      if (info) writeFileSync(join(dir, 'thing.json'), JSON.stringify(info));
      return { certPem: id.cert, keyPem: id.key };
    },
    async close() {
      for (const s of sims.splice(0)) await s.close();
      temp.cleanup();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/** Polls `cond` every 25 ms for up to 15 s. */
export async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`never happened: ${what}`);
}
