// A virtual NodeMCU flashed as `npm run flash` leaves an A/B device (loader, fw.a, the receiver, a
// fresh boot log), enrolled in a rig's gateway, and firmware variants for update tests. Shared by
// the gateway's update tests (device-updates, job-updates); it asserts nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOtaFiles } from '../../../tools/build/build-ota-files';
import { freshLog, slotFile } from '../../../tools/flash/write-slots';
import { startRigDevice, type Rig, type RigDevice } from '../../interop/support/rig';

export interface AbKit {
  fw: Buffer;
  receiver: Buffer;
  loader: Buffer;
  /** The rig's firmware with another version string (the build's first `="x.y.z"` is package.json's version). */
  withVersion(v: string): Buffer;
  /** An enrolled A/B device; booted unless `boot` is false. `loader` replaces the loader (a shorter trial deadline). */
  device(thing: string, o?: { boot?: boolean; loader?: string }): RigDevice;
  close(): Promise<void>;
}

export async function abKit(rig: Rig): Promise<AbKit> {
  const ota = await buildOtaFiles({ cwd: join(__dirname, '../../..'), outDir: rig.ws.dir, log: () => {} });
  const receiver = readFileSync(ota.receiver);
  const loader = readFileSync(ota.loader);
  const fw = readFileSync(rig.ws.bundle);
  const devices: RigDevice[] = [];
  return {
    fw,
    receiver,
    loader,
    withVersion: (v) => Buffer.from(fw.toString('latin1').replace(/="\d+\.\d+\.\d+"/, `="${v}"`), 'latin1'),
    device(thing, o = {}) {
      const secret = rig.gw.enrol(thing);
      const d = startRigDevice(rig.ws, thing, { kind: 'gateway', port: rig.gw.port, secret }, {}, false);
      d.device.storage.write('fw.a', slotFile(fw));
      d.device.storage.erase('.bootcde');
      d.device.storage.write('ota.js', receiver);
      d.device.storage.write('.otalog', freshLog());
      d.device.storage.write('.bootcde', o.loader ?? loader);
      if (o.boot !== false) d.device.boot();
      devices.push(d);
      return d;
    },
    async close() {
      for (const d of devices) await d.close();
    },
  };
}
