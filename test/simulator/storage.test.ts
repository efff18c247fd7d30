// Storage: Espruino's flash file system with NOR rules, persistence across power cuts, power-loss
// in the middle of a write, and the host-side view of the same flash.
import fs from 'node:fs';
import { fixture, makeDevice, tempFile, type TestDevice } from './helpers';

let t: TestDevice;
let tmp: ReturnType<typeof tempFile>;
beforeEach(() => {
  tmp = tempFile('flash.bin');
  t = makeDevice({ flashFile: tmp.file });
  t.device.boot();
});
afterEach(async () => {
  await t.device.close();
  tmp.cleanup();
});

const ev = (code: string): unknown => t.device.evaluate(code);

test('a file written by the device survives power cuts and a new virtual device on the same image', async () => {
  t.device.storage.write('.bootcde', fixture('boot-counter.js'));
  t.device.reboot();
  t.device.powerCut();
  t.device.boot();
  expect(t.output()).toContain('boot count 2');
  await t.device.close();
  expect(fs.statSync(tmp.file).size).toBe(192 * 1024);
  t = makeDevice({ flashFile: tmp.file });
  t.device.boot();
  expect(t.output()).toContain('boot count 3');
});

test('read returns the bytes as a string; readArrayBuffer and list work', () => {
  ev('require("Storage").write("bin", "\\x00\\x01\\xff\\x80")');
  expect(ev('require("Storage").read("bin")')).toBe('\x00\x01\xff\x80');
  expect(ev('new Uint8Array(require("Storage").readArrayBuffer("bin"))[2]')).toBe(255);
  expect(ev('require("Storage").read("nothing")')).toBeUndefined();
  expect(ev('require("Storage").read("bin", 1, 2)')).toBe('\x01\xff');
  ev('require("Storage").write("a.json", "{}"); require("Storage").write("b.json", "[]")');
  expect(ev('require("Storage").list(/\\.json$/)')).toEqual(['a.json', 'b.json']);
  expect(t.device.storage.list()).toEqual(['bin', 'a.json', 'b.json']);
});

test('names longer than 28 characters are cut silently', () => {
  ev('require("Storage").write("abcdefghijklmnopqrstuvwxyz0123456789", "x")');
  expect(ev('require("Storage").list()')).toEqual(['abcdefghijklmnopqrstuvwxyz01']);
  expect(ev('require("Storage").read("abcdefghijklmnopqrstuvwxyz01XYZ")')).toBe('x');
});

test('chunked writes fill a pre-sized file; written bytes cannot be rewritten', () => {
  ev('var S = require("Storage"); S.write("log", "Hello", 0, 14); S.write("log", " ", 5); S.write("log", "World!!!", 6);');
  expect(ev('S.read("log")')).toBe('Hello World!!!');
  expect(() => ev('S.write("log", "x", 3)')).toThrow('File already written with different data');
  expect(() => ev('S.write("log", "too long", 10)')).toThrow('Too much data for file size');
  expect(() => ev('S.write("missing", "x", 4)')).toThrow('Unable to find or create file');
  expect(() => ev('S.write("empty", "")')).toThrow("Can't create zero length file");
  ev('S.write("log", " ", 0)');
  expect(ev('S.read("log")')).toBe(' ');
  ev('S.write("pre", "ab", 0, 4)');
  expect(ev('S.read("pre")')).toBe('ab\xff\xff');
});

test('readJSON parses, throws on bad JSON, or returns undefined', () => {
  ev('var S = require("Storage"); S.write("good", "{\\"a\\":1}"); S.write("bad", "{nope"); S.writeJSON("compact", {b: [1, "x"]});');
  expect(ev('S.readJSON("good").a')).toBe(1);
  expect(() => ev('S.readJSON("bad")')).toThrow();
  expect(ev('S.readJSON("bad", true)')).toBeUndefined();
  expect(ev('S.readJSON("absent")')).toBeUndefined();
  expect(t.device.storage.read('compact')?.toString()).toBe('{b:[1,"x"]}');
  expect(ev('S.readJSON("compact").b[1]')).toBe('x');
  ev('S.write("obj", {c: 2})');
  expect(t.device.storage.read('obj')?.toString()).toBe('{"c":2}');
});

test('erase leaves trash that compact reclaims; getFree and getStats agree', () => {
  ev('var S = require("Storage"); S.write("big", new Array(2001).join("x")); S.write("keep", "k"); S.erase("big");');
  const before = ev('S.getStats()') as Record<string, number>;
  expect(before).toMatchObject({ totalBytes: 196608, fileCount: 1, trashCount: 1 });
  expect(ev('S.getFree()')).toBe(before.freeBytes);
  ev('S.compact()');
  const after = ev('S.getStats()') as Record<string, number>;
  expect(after).toMatchObject({ trashCount: 0, fileCount: 1 });
  expect(after.freeBytes).toBeGreaterThan(before.freeBytes);
  expect(ev('S.read("keep")')).toBe('k');
  expect(t.device.storage.wear().pageErases[0]).toBeGreaterThan(0);
});

test('a full flash compacts automatically, then throws when there really is no room', () => {
  ev('var S = require("Storage"); var chunk = new Array(4001).join("y");');
  ev('for (var i = 0; i < 45; i++) S.write("f" + i, chunk);');
  ev('for (var j = 0; j < 45; j += 2) S.erase("f" + j);');
  ev('S.write("late", new Array(20001).join("z"))');
  expect(t.output()).toContain('Compacting...');
  expect(() => ev('S.write("huge", new Array(190001).join("z"))')).toThrow('Unable to find or create file');
});

test('StorageFile appends across 4064-byte chunks and reads back by line', () => {
  ev('var f = require("Storage").open("events", "a"); for (var i = 0; i < 300; i++) f.write("event number " + i + "\\n");');
  expect(ev('require("Storage").list(undefined, {sf: true})')).toEqual(['events']);
  expect(ev('require("Storage").list().length')).toBe(1);
  expect(ev('require("Storage").open("events", "r").getLength()')).toBe(ev('var n = 0; for (var i = 0; i < 300; i++) n += ("event number " + i + "\\n").length; n'));
  expect(ev('var r = require("Storage").open("events", "r"); r.readLine(); r.readLine()')).toBe('event number 1\n');
  ev('var g = require("Storage").open("events", "a"); g.write("tail\\n");');
  expect(ev('var r2 = require("Storage").open("events", "r"), last, l; while ((l = r2.readLine()) !== undefined) last = l; last')).toBe('tail\n');
  expect(t.device.storage.list()).toEqual(['events\u0001', 'events\u0002']);
});

test('cutting power during a write keeps the bytes programmed so far and stops the device', () => {
  ev('var S = require("Storage"); S.write("q", "", 0, 16);');
  t.device.storage.cutPowerDuringNextWrite(3);
  expect(() => ev('try { S.write("q", "ABCDEFGH", 0, 16); } catch (e) {} S.write("other", "after the cut");')).toThrow();
  expect(t.device.poweredOn).toBe(false);
  expect(t.device.storage.read('q')?.toString('latin1')).toBe('ABC' + '\xff'.repeat(13));
  expect(t.device.storage.read('other')).toBeUndefined();
  t.device.boot();
  expect(ev('require("Storage").read("q").substr(0, 4)')).toBe('ABC\xff');
});

test('the host writes and erases files the device then reads', () => {
  t.device.storage.write('cfg.json', '{"x":7}');
  expect(ev('require("Storage").readJSON("cfg.json").x')).toBe(7);
  t.device.storage.erase('cfg.json');
  expect(ev('require("Storage").read("cfg.json")')).toBeUndefined();
});
