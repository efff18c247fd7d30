// A virtual NodeMCU flashed as `npm run flash` leaves an A/B device (loader, fw.a, the receiver, a
// fresh boot log), enrolled in a rig's gateway, and firmware variants for update tests. Shared by
// the gateway's update tests (device-updates, job-updates, update-gateway); it asserts nothing.
import { buildAbFiles, withVersion, writeAbFlash } from '../../support/ab-files';
import { startRig, startRigDevice, type Rig, type RigDevice } from '../../interop/support/rig';

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
  const files = await buildAbFiles(rig.ws.dir, rig.ws.bundle);
  const { fw, receiver, loader } = files;
  const devices: RigDevice[] = [];
  return {
    fw,
    receiver,
    loader,
    withVersion: (v) => withVersion(fw, v),
    device(thing, o = {}) {
      const secret = rig.gw.enrol(thing);
      const d = startRigDevice(rig.ws, thing, { kind: 'gateway', port: rig.gw.port, secret }, {}, false);
      d.device.storage.erase('.bootcde');
      writeAbFlash(d.device.storage, files, o.loader);
      if (o.boot !== false) d.device.boot();
      devices.push(d);
      return d;
    },
    async close() {
      for (const d of devices) await d.close();
    },
  };
}

/** A suite's AWS-like rig and its A/B kit: started before the suite's tests, closed after them. */
export function useAbRig(): { readonly rig: Rig; readonly kit: AbKit } {
  const ab = {} as { rig: Rig; kit: AbKit };
  beforeAll(async () => {
    ab.rig = await startRig('aws-like');
    ab.kit = await abKit(ab.rig);
  }, 90000);
  afterAll(async () => {
    await ab.kit?.close();
    await ab.rig?.close();
  });
  return ab;
}
