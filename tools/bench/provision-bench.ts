// Benchmark: one full provisioning (direct TLS identity: key, certificate and CA as DER, config.json
// and config.bak) of a virtual NodeMCU through a simulated 115200-baud line (11,520 bytes/s each
// way, one byte time of latency), every wait and acknowledgement included. Goals: wire bytes at most
// 1.5x the bytes stored; stored bytes per second at least half the line's rate. It prints nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki } from '../pki/dev-pki';
import { createMemoryLogger } from '../shared/log';
import { runSimulator } from '../simulator/run';
import { openTcpTransport } from '../device/tcp-transport';
import { createThrottledTransport, type ThrottledTransport } from '../device/throttled-transport';
import { run } from '../provision/run';

export const LINE_BYTES_PER_SECOND = 11520;

export interface ProvisionBench {
  /** Bytes the host sent to the device (the direction the payload travels). */
  provisionWireBytes: number;
  /** Bytes written to Storage: DER files, config.json and config.bak. */
  provisionStoredBytes: number;
  /** Wall time of the whole provisioning at 115200 baud. */
  provisionSecondsAt115200: number;
}

export async function benchProvision(): Promise<ProvisionBench> {
  const cwd = mkdtempSync(join(tmpdir(), 'provision-bench-'));
  const thing = 'bench-button';
  const pki = ensureDevPki(join(cwd, 'pki'));
  const id = pki.client(thing);
  const dir = join(cwd, 'certs', thing);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'certificate.pem.crt'), id.cert);
  writeFileSync(join(dir, 'private.pem.key'), id.key);
  writeFileSync(join(dir, 'AmazonRootCA1.pem'), pki.ca);

  const sim = await runSimulator({ consolePort: 0, profile: 'esp8266' });
  let line: ThrottledTransport | undefined;
  try {
    const started = performance.now();
    const result = await run(
      {
        cwd,
        thing,
        port: `tcp://127.0.0.1:${sim.port}`,
        // The Storage traffic of a direct-TLS identity, whether or not this board could use it.
        mode: 'direct',
        endpoint: 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com',
        wifiSsid: 'bench-ap',
        wifiPassword: 'bench-password',
      },
      {
        log: createMemoryLogger(),
        findPort: async (p) => p!,
        openTransport: async (p) => {
          line = createThrottledTransport(await openTcpTransport(p), { bytesPerSecond: LINE_BYTES_PER_SECOND });
          return line;
        },
      },
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      provisionWireBytes: line!.stats.toDevice,
      provisionStoredBytes: result.storedBytes,
      provisionSecondsAt115200: seconds,
    };
  } finally {
    await sim.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}
