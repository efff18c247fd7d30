// HMAC-SHA1 (as hex) of the firmware against RFC 2202 and node:crypto.
import { createHmac, randomBytes } from 'node:crypto';
import { hmacHex } from '../../firmware/core/gateway-auth';
import { sha1 } from '../../tools/shared/sha1';

const bytes = (b: number, n: number) => String.fromCharCode(b).repeat(n);
const fromHex = (h: string) => Buffer.from(h, 'hex').toString('latin1');

// RFC 2202 section 3, test cases 1-7.
const rfc2202: [string, string, string][] = [
  [bytes(0x0b, 20), 'Hi There', 'b617318655057264e28bc0b6fb378c8ef146be00'],
  ['Jefe', 'what do ya want for nothing?', 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79'],
  [bytes(0xaa, 20), bytes(0xdd, 50), '125d7342b9ac11cd91a39af48aa17b4f63f175d3'],
  [fromHex('0102030405060708090a0b0c0d0e0f10111213141516171819'), bytes(0xcd, 50), '4c9007f4026250c6bc8414f9bf50c86c2d7235da'],
  [bytes(0x0c, 20), 'Test With Truncation', '4c1a03424b55e07fe7f27be1d58bb9324a9a5a04'],
  [bytes(0xaa, 80), 'Test Using Larger Than Block-Size Key - Hash Key First', 'aa4ae5e15272d00e95705637ce8a3b55ed402112'],
  [
    bytes(0xaa, 80),
    'Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data',
    'e8e99d0f45237d786d6bbaa7965c7808bbff1a91',
  ],
];

describe('hmacHex', () => {
  test.each(rfc2202.map((v, i) => [i + 1, ...v]))('matches RFC 2202 test case %i', (_n, key, data, mac) => {
    expect(hmacHex(key as string, data as string, sha1)).toBe(mac);
  });

  test('agrees with node:crypto on random keys (0..100 bytes) and messages', () => {
    for (let i = 0; i < 150; i++) {
      const key = randomBytes(Math.floor(Math.random() * 101));
      const msg = randomBytes(Math.floor(Math.random() * 300));
      const want = createHmac('sha1', key).update(msg).digest('hex');
      expect(hmacHex(key.toString('latin1'), msg.toString('latin1'), sha1)).toBe(want);
    }
  });

  test('uses a 64-hex-char secret as its bytes, exactly as node does with the same string', () => {
    const secret = randomBytes(32).toString('hex');
    expect(hmacHex(secret, 'connect|t|1', sha1)).toBe(createHmac('sha1', secret).update('connect|t|1').digest('hex'));
  });
});

describe('hex output', () => {
  test('gives two lower-case digits per byte, keeping leading zeros', () => {
    // A hash whose digest holds bytes below 0x10 and above 0x9f shows both ends of the digit range.
    const fixed = () => '\x00\x0f\x10\xab\xff'.repeat(4);
    expect(hmacHex('k', 'm', fixed)).toBe('000f10abff'.repeat(4));
  });
});
