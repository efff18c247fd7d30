// Over 100 seeded random network faults with presses flowing, on both paths at once: three
// virtual NodeMCUs direct over TLS to the AWS-like broker, three through the LAN gateway, each
// behind its own fault proxy, and the gateway's AWS side behind one more. Cuts, resets, stalls
// and delays land at random bytes, in the middle of packets and records, and between a PUBLISH
// and its PUBACK. Afterwards: no press lost, order kept per device, duplicates only of the one
// event in flight (QoS 1), each visible by its seq. FAULT_SEED=<n> replays another plan.
import { startFaultProxy, type FaultProxy, type FiredFault } from '../support/fault-proxy/fault-proxy';
import { randomFaultPlan } from '../support/fault-proxy/random-faults';
import { createRng } from '../../tools/fuzz/rng';
import { checkDelivery, sleep, startRig, startRigDevice, until, type Rig, type RigDevice } from '../interop/support/rig';

const SEED = Number(process.env.FAULT_SEED ?? 20250611);
/** Faults that must have taken effect before presses stop. */
const TARGET = Number(process.env.FAULT_TARGET ?? 300);
const DEVICES_PER_PATH = 3;

let rig: Rig | undefined;
const proxies: FaultProxy[] = [];
const devices: RigDevice[] = [];

afterAll(async () => {
  for (const d of devices) await d.close();
  await rig?.close();
  for (const p of proxies) await p.close();
});

interface Unit {
  d: RigDevice;
  proxy: FaultProxy;
  presses: number;
}

test(`at least ${TARGET} seeded random faults (seed ${SEED}) lose no press and keep order on both paths`, async () => {
  const t0 = Date.now();
  // One upstream connection in three is faulted: each upstream fault also drops a device's link,
  // which would otherwise rarely live long enough to meet its own faults.
  rig = await startRig('aws-like', async (port) => {
    const upstream = await startFaultProxy({ target: { port }, framing: 'tls', plan: randomFaultPlan(SEED, 200, { framing: 'tls' }, 0.35) });
    proxies.push(upstream);
    return upstream.port;
  });
  const { ws, broker, watcher, gw } = rig;

  const units: Unit[] = [];
  for (let i = 0; i < DEVICES_PER_PATH; i++) {
    const p = await startFaultProxy({ target: { port: broker.port }, framing: 'tls', plan: randomFaultPlan(SEED + 100 + i, 60, { framing: 'tls' }) });
    proxies.push(p);
    const d = startRigDevice(ws, `fault-direct-${i}`, { kind: 'direct', port: p.port });
    devices.push(d);
    units.push({ d, proxy: p, presses: 0 });
  }
  for (let i = 0; i < DEVICES_PER_PATH; i++) {
    const thing = `fault-gw-${i}`;
    const p = await startFaultProxy({ target: { port: gw.port }, framing: 'mqtt', plan: randomFaultPlan(SEED + 200 + i, 60, { framing: 'mqtt' }) });
    proxies.push(p);
    const d = startRigDevice(ws, thing, { kind: 'gateway', port: p.port, secret: gw.enrol(thing) });
    devices.push(d);
    units.push({ d, proxy: p, presses: 0 });
  }
  const fired = () => proxies.reduce((n, p) => n + p.fired.length, 0);
  // Presses start clear of the moment SNTP sets each device's clock (see sntp-clock-jump.test.ts).
  await Promise.all(units.map((u) => u.d.waitLine(/^wifi: connected/, 10000)));
  await sleep(300);

  // Presses flow on every device until enough faults have landed.
  let pressing = true;
  const rng = createRng(SEED);
  const gaps = units.map(() => createRng(rng.int(1 << 30)));
  const loops = units.map(async (u, i) => {
    while (pressing) {
      await u.d.press();
      u.presses++;
      await sleep(gaps[i].range(60, 300));
    }
  });
  // Enough faults in all, and a share on every link.
  await until(() => fired() >= TARGET && proxies.every((p) => p.fired.length >= 20), 200000, () => `only ${fired()} faults fired: ${proxies.map((p) => p.fired.length).join(', ')}`);
  for (const p of proxies) p.setPlan(undefined); // new connections are clean from here on
  pressing = false;
  await Promise.all(loops);
  // Two more presses each on clean connections, then everything must arrive.
  for (const u of units) {
    await u.d.press();
    await sleep(80);
    await u.d.press();
    u.presses += 2;
  }
  for (const u of units) {
    await until(
      () => u.d.queued().length === u.presses && watcher.events(u.d.thing).some((e) => e.seq === u.presses),
      90000,
      () =>
        `${u.d.thing}: ${u.presses} presses, ${u.d.queued().length} stored, cloud saw ${watcher.events(u.d.thing).length}; last lines:\n${u.d.lines.slice(-12).join('\n')}` +
        `\ngateway:\n${gw.logs.filter((l) => l.includes(u.d.thing)).slice(-12).join('\n')}`,
    );
  }

  let duplicates = 0;
  let presses = 0;
  for (const u of units) {
    // Every press was stored (the network never costs a press) ...
    expect(u.d.queued()).toEqual(Array.from({ length: u.presses }, (_, k) => k + 1));
    // ... and arrived, in order, with duplicates only of the event in flight.
    duplicates += checkDelivery(watcher.payloads(u.d.thing), u.presses, u.d.thing);
    presses += u.presses;
  }
  // A forged or torn event never passed the gateway's tag check as something else.
  expect(gw.logs.filter((l) => /dropped event/.test(l))).toEqual([]);

  const all = proxies.flatMap((p) => p.fired);
  const count = (pred: (f: FiredFault) => boolean) => all.filter(pred).length;
  const midPacket = count((f) => f.landed !== undefined && f.landed.into > 0);
  // Plain MQTT (device to gateway): right before a PUBACK. TLS: right before a record from the server
  // after the first (CONNACK): the PUBACK of a PUBLISH that got through.
  const cutsAck = (f: FiredFault) =>
    f.fault.dir === 'down' && (f.fault.action === 'cut' || f.fault.action === 'reset') && f.landed?.into === 0 && (f.landed.type === 4 || (f.landed.type === 23 && (f.fault.frame?.nth ?? 0) >= 2));
  const beforePuback = count(cutsAck);
  const byAction = ['cut', 'reset', 'stall', 'delay'].map((a) => `${a} ${count((f) => f.fault.action === a)}`).join(', ');
  const lines = [
    `fault injection (seed ${SEED}): ${all.length} faults fired (${byAction}); ${midPacket} inside a packet or TLS record, ` +
      `${beforePuback} between a PUBLISH and its PUBACK; ${presses} presses on ${units.length} devices, ${duplicates} duplicates (QoS 1 resends), 0 lost; ` +
      `${Math.round((Date.now() - t0) / 1000)} s`,
    ...proxies.map((p, i) => `  proxy ${i}: ${p.connections()} connections, ${p.fired.length} faults, ${p.fired.filter(cutsAck).length} before an ack`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  expect(all.length).toBeGreaterThanOrEqual(TARGET);
  expect(midPacket).toBeGreaterThan(10);
  expect(beforePuback).toBeGreaterThan(3);
}, 300000);
