// Power, boot order and the flash-code functions: .boot0-3, .bootcde, E.on('init'), setBootCode,
// save(), load(), reset(), E.reboot(), as jsiSemiInit/jsiSoftInit run them (src/jsinteractive.c).
import fs from 'node:fs';
import { deviceForEachTest, fixture, sleep, tempFile, waitFor } from './helpers';
import { runSimulator } from '../../tools/simulator/run';

const t = deviceForEachTest({}, false);

test('boot runs .boot0 before .bootcde, then E.on("init") handlers', () => {
  t.device.storage.write('.boot0', 'var ORDER = ["boot0"];');
  t.device.storage.write('.bootcde', fixture('boot-order.js'));
  t.device.boot();
  expect(t.output()).toContain('order boot0,bootcde,init');
  expect(t.output()).not.toContain('espruino.com'); // no banner when there is code to load
});

test('an empty board prints the banner; reset() skips .bootcde but load() runs it', () => {
  t.device.boot();
  expect(t.output()).toContain('|_| espruino.com');
  t.device.evaluate('E.setBootCode("var FROM_FLASH = 1; print(\\"flash code ran\\")")');
  expect(t.device.storage.read('.bootcde')?.toString()).toContain('FROM_FLASH');
  t.device.evaluate('reset()');
  expect(t.device.evaluate('typeof FROM_FLASH')).toBe('undefined');
  t.device.evaluate('load()');
  expect(t.device.evaluate('FROM_FLASH')).toBe(1);
});

test('reset() prints the banner after the soft init, and not when boot code turned echo off', () => {
  t.device.boot();
  t.device.storage.write('.boot0', 'print("boot0 ran");');
  const mark = t.output().length;
  t.device.evaluate('reset()');
  const after = t.output().slice(mark);
  expect(after).toMatch(/boot0 ran\n[\s\S]*\|_\| espruino\.com/); // jsiSemiInit: banner after jsiSoftInit
  t.device.storage.write('.boot0', 'echo(0); print("quiet boot0 ran");');
  const mark2 = t.output().length;
  t.device.evaluate('reset()');
  expect(t.output().slice(mark2)).toContain('quiet boot0 ran');
  expect(t.output().slice(mark2)).not.toContain('espruino.com');
});

test('echo(0) from before a reset() does not outlive it: jsiSemiInit turns echo back on', () => {
  t.device.boot();
  t.device.evaluate('echo(0)');
  const mark = t.output().length;
  t.device.evaluate('reset()');
  expect(t.output().slice(mark)).toContain('|_| espruino.com');
});

test('save() refuses while .bootcde exists (2v29)', () => {
  t.device.storage.write('.bootcde', 'var x = 1;');
  t.device.boot();
  expect(() => t.device.evaluate('save()')).toThrow('Cannot save: .bootcde file already exists. Please remove it first.');
});

test('save() without .bootcde keeps what was typed for the next boot (approximation)', () => {
  t.device.boot();
  t.device.consoleInput('\x10var SAVED = 40 + 2\n');
  t.device.consoleInput('\x10save()\n');
  t.device.reboot();
  expect(t.device.evaluate('SAVED')).toBe(42);
});

test('E.on("kill") runs before reset(); timers and watches do not survive it', async () => {
  t.device.boot();
  t.device.evaluate('E.on("kill", function () { print("killing"); }); var n = 0; setInterval(function () { n++; }, 5);');
  t.device.evaluate('reset()');
  expect(t.output()).toContain('killing');
  await sleep(20);
  expect(t.device.evaluate('typeof n')).toBe('undefined');
});

test('a power cut stops everything at once and loses RAM; flash stays', async () => {
  t.device.boot();
  t.device.evaluate('require("Storage").write("kept", "yes"); var ram = 1; setInterval(function () { print("tick"); }, 5);');
  await waitFor(() => t.output().includes('tick'), 'ticks');
  t.device.powerCut();
  const len = t.output().length;
  await sleep(30);
  expect(t.output().length).toBe(len);
  expect(() => t.device.evaluate('1')).toThrow(/powered off/);
  t.device.boot();
  expect(t.device.evaluate('typeof ram')).toBe('undefined');
  expect(t.device.evaluate('require("Storage").read("kept")')).toBe('yes');
});

test('E.reboot() restarts the board after the current event', () => {
  t.device.storage.write('.bootcde', 'print("up " + getTime().toFixed(0));');
  t.device.boot();
  t.device.evaluate('E.reboot(); print("after reboot call")');
  expect(t.output()).toMatch(/after reboot call\n[\s\S]*up 0/);
  expect((t.output().match(/up 0/g) ?? []).length).toBe(2);
});

test('runSimulator boots a bundle file, logs device lines and closes cleanly', async () => {
  const tmp = tempFile('firmware.js');
  fs.writeFileSync(tmp.file, 'print("bundle says hi")');
  const lines: string[] = [];
  const sim = await runSimulator({ consolePort: 0, profile: 'esp8266', bundle: tmp.file, log: (l) => lines.push(l) });
  try {
    expect(sim.port).toBeGreaterThan(0);
    expect(lines).toContain('bundle says hi');
    expect(sim.device.poweredOn).toBe(true);
  } finally {
    await sim.close();
    tmp.cleanup();
  }
});
