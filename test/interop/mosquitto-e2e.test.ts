// The end-to-end scenarios of test/e2e, against mosquitto 2 instead of the embedded broker: the
// exact bundle direct over TLS (esp32), and through the LAN gateway whose AWS side then speaks to
// mosquitto (esp8266). mosquitto runs with its own config: TLS 1.2, client certificates required,
// username = certificate CN, ACL `devices/%u/#` (test/support/mosquitto.ts).
import { describeWithMosquitto } from '../support/mosquitto';
import { checkDelivery, sleep, startRig, startRigDevice, until, type Rig, type RigBroker, type RigDevice, type RigGateway, type Watcher, type Workspace } from './support/rig';

type PathKind = 'direct' | 'gateway';

describeWithMosquitto('the firmware and the gateway against mosquitto 2', () => {
  let rig: Rig;
  let ws: Workspace;
  let broker: RigBroker;
  let watcher: Watcher;
  let gw: RigGateway;
  const open: RigDevice[] = [];

  beforeAll(async () => {
    rig = await startRig('mosquitto');
    ({ ws, broker, watcher, gw } = rig);
  }, 60000);
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
  });
  afterAll(async () => {
    await rig?.close();
  });

  function device(p: PathKind, thing: string, extra: Record<string, unknown> = {}): RigDevice {
    const path = p === 'direct' ? { kind: 'direct' as const, port: broker.port } : { kind: 'gateway' as const, port: gw.port, secret: gw.enrol(thing) };
    const d = startRigDevice(ws, thing, path, extra);
    open.push(d);
    return d;
  }

  const waitEvents = (thing: string, n: number, ms = 30000) =>
    until(
      () => watcher.events(thing).length >= n,
      ms,
      () => `${thing}: ${watcher.events(thing).length} of ${n} events; the device said:\n${(open.find((d) => d.thing === thing)?.lines ?? []).slice(-15).join('\n')}\nmosquitto said:\n${broker.log.slice(-8).join('\n')}`,
    );

  describe.each<PathKind>(['direct', 'gateway'])('%s', (p) => {
    test('a single, a double and a long press each arrive once, in order, with the retained "online" status', async () => {
      const thing = `mq-${p}-gest`;
      const d = device(p, thing, { button: { gestures: true } });
      await d.waitLine(/mqtt: connected/, 15000);
      await d.gesture('single');
      await waitEvents(thing, 1);
      await d.gesture('double');
      await waitEvents(thing, 2);
      await d.gesture('long');
      await waitEvents(thing, 3);
      const ev = watcher.events(thing);
      expect(ev.map((e) => e.clickType)).toEqual(['SINGLE', 'DOUBLE', 'LONG']);
      expect(ev.map((e) => e.seq)).toEqual([1, 2, 3]);
      for (const e of ev) {
        expect(e.thing).toBe(thing);
        expect(e.fw).toMatch(/^\d+\.\d+\.\d+/);
        expect(Number.isInteger(e.ts)).toBe(true);
        // Through the gateway the integrity tag is stripped: the cloud sees what a TLS device sends.
        expect((e as unknown as { tag?: string }).tag).toBeUndefined();
      }
      expect(watcher.messages.some((m) => m.topic === `devices/${thing}/status` && m.payload === 'online')).toBe(true);
    }, 60000);

    test('five presses during a Wi-Fi outage are all delivered in order once it returns', async () => {
      const thing = `mq-${p}-wifi`;
      const d = device(p, thing);
      await d.waitLine(/mqtt: connected/, 15000);
      d.device.wifiDown();
      await d.waitLine(/wifi: disconnected/, 5000);
      for (let i = 0; i < 5; i++) {
        await d.press();
        await sleep(80);
      }
      expect(watcher.events(thing)).toHaveLength(0);
      d.device.wifiUp();
      await waitEvents(thing, 5);
      expect(checkDelivery(watcher.payloads(thing), 5, thing)).toBe(0);
    }, 60000);

    test('presses made while mosquitto restarts are delivered after it is back', async () => {
      const thing = `mq-${p}-restart`;
      const d = device(p, thing);
      await d.waitLine(/mqtt: connected/, 15000);
      await d.press();
      await waitEvents(thing, 1);
      await broker.stop();
      try {
        const from = d.lines.length;
        await d.press();
        await sleep(100);
        await d.press();
        await d.waitLine(/seq 3 queued/, 5000, from);
      } finally {
        await broker.start(); // the later tests need it, whatever happened here
      }
      await waitEvents(thing, 3);
      expect(watcher.events(thing).map((e) => e.seq)).toEqual([1, 2, 3]);
    }, 60000);

    test('presses not yet delivered when the power is cut are delivered after the reboot, and seq keeps counting', async () => {
      const thing = `mq-${p}-power`;
      const d = device(p, thing);
      await d.waitLine(/mqtt: connected/, 15000);
      d.device.wifiDown();
      await d.waitLine(/wifi: disconnected/, 5000);
      await d.press();
      await sleep(80);
      await d.press();
      await d.waitLine(/seq 2 queued/, 5000);
      d.device.powerCut();
      d.device.wifiUp();
      const from = d.lines.length;
      d.device.boot();
      await d.waitLine(/outbox: 2 press/, 10000, from);
      await waitEvents(thing, 2);
      await d.press();
      await waitEvents(thing, 3);
      expect(watcher.events(thing).map((e) => e.seq)).toEqual([1, 2, 3]);
    }, 60000);
  });

  test('a gateway restart during presses loses nothing and keeps order (AWS side on mosquitto)', async () => {
    const thing = 'mq-gateway-gwrestart';
    const d = device('gateway', thing);
    await d.waitLine(/mqtt: connected/, 15000);
    for (let i = 0; i < 3; i++) {
      await d.press();
      await sleep(60);
    }
    const restart = gw.restart();
    for (let i = 0; i < 3; i++) {
      await d.press();
      await sleep(60);
    }
    await restart;
    for (let i = 0; i < 3; i++) {
      await d.press();
      await sleep(60);
    }
    await waitEvents(thing, 9);
    await until(() => d.queued().length === 9, 5000, () => d.lines.join('\n'));
    checkDelivery(watcher.payloads(thing), 9, thing);
  }, 60000);
});
