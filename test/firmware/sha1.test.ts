// SHA-1 of the firmware against the FIPS 180 examples and node:crypto on random byte strings.
import { createHash, randomBytes } from 'node:crypto';
import { sha1 } from '../../firmware/core/sha1';

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const nodeSha1 = (s: string) => createHash('sha1').update(Buffer.from(s, 'latin1')).digest('hex');

describe('sha1', () => {
  test('matches the FIPS 180 examples', () => {
    expect(hex(sha1('abc'))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hex(sha1(''))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(hex(sha1('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    );
    expect(
      hex(sha1('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu')),
    ).toBe('a49b2446a02c645bf419f995b67091253a04a259');
  });

  test('matches FIPS 180 for one million "a" (many blocks)', () => {
    expect(hex(sha1('a'.repeat(1000000)))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  });

  test('returns 20 bytes, one char per byte', () => {
    const d = sha1('x');
    expect(d.length).toBe(20);
    for (let i = 0; i < d.length; i++) expect(d.charCodeAt(i)).toBeLessThan(256);
  });

  test('agrees with node:crypto around every padding boundary (0..200 bytes)', () => {
    for (let n = 0; n <= 200; n++) {
      const s = randomBytes(n).toString('latin1');
      expect(hex(sha1(s))).toBe(nodeSha1(s));
    }
  });

  test('agrees with node:crypto on random binary inputs of random length', () => {
    for (let i = 0; i < 200; i++) {
      const s = randomBytes(Math.floor(Math.random() * 2000)).toString('latin1');
      expect(hex(sha1(s))).toBe(nodeSha1(s));
    }
  });
});
