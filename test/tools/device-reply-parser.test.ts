// The console reply parser: frames are found whole however the bytes are split, and everything
// else comes out as clean lines (prompts, terminal escapes and carriage returns removed).
import { createReplyParser } from '../../tools/device/reply-parser';
import { crc32 } from '../../tools/device/crc32';
import { crc32 as zlibCrc32 } from 'node:zlib';

function parse(chunks: string[]): { frames: string[]; lines: string[] } {
  const frames: string[] = [];
  const lines: string[] = [];
  const p = createReplyParser({ frame: (b) => frames.push(b), line: (l) => lines.push(l) });
  for (const c of chunks) p.push(c);
  return { frames, lines };
}

test('a frame split across many chunks arrives whole, once', () => {
  const text = 'log line\r\n\x021:{"a":[1,2]}\x03\r\n>';
  for (let cut = 1; cut < text.length; cut++) {
    const r = parse([text.slice(0, cut), text.slice(cut)]);
    expect(r.frames).toEqual(['1:{"a":[1,2]}']);
    expect(r.lines).toEqual(['log line', '']);
  }
  expect(parse(text.split('')).frames).toEqual(['1:{"a":[1,2]}']);
});

test('output around and between frames stays in its lines', () => {
  const r = parse(['>\x02~10:5\x03\x02~20:6\x03 tail\r\n', 'next\n']);
  expect(r.frames).toEqual(['~10:5', '~20:6']);
  expect(r.lines).toEqual(['> tail', 'next']);
});

test('terminal escapes are removed and a carriage return starts the line again', () => {
  const r = parse(['\x1b[?7l\r\n', 'abc\r\x1b[Jdef\r\n', '>\r\x1b[JUncaught Error: x\r\n']);
  expect(r.lines).toEqual(['', 'def', 'Uncaught Error: x']);
});

test('a never-ending line is flushed instead of growing without bound', () => {
  const r = parse(['x'.repeat(9000)]);
  expect(r.lines).toHaveLength(1);
  expect(r.lines[0]).toHaveLength(9000);
});

test('the host CRC-32 is the one zlib (and Espruino E.CRC32) computes', () => {
  for (const s of ['', 'a', '123456789', '\x00\xff'.repeat(300)]) {
    const b = Buffer.from(s, 'latin1');
    expect(crc32(b)).toBe(zlibCrc32(b));
  }
  expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
});
