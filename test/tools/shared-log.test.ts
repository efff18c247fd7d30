// The logger never lets a registered secret or a PEM private key reach the output.
import { generateKeyPairSync } from 'node:crypto';
import { createMemoryLogger, redactPrivateKeys, REDACTED } from '../../tools/shared/log';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

test('a registered secret is masked in every stream, wherever it appears in the line', () => {
  const log = createMemoryLogger(true);
  log.addSecret('hunter2-wifi');
  log.info('connecting with hunter2-wifi now');
  log.out('{"password":"hunter2-wifi"}');
  log.warn('x hunter2-wifihunter2-wifi y');
  log.debug('hunter2-wifi');
  log.error('failed: hunter2-wifi');
  const all = [...log.lines, ...log.outLines].join('\n');
  expect(all).not.toContain('hunter2');
  expect(log.lines[0]).toBe(`connecting with ${REDACTED} now`);
  expect(log.outLines[0]).toBe(`{"password":"${REDACTED}"}`);
  expect(log.lines[1]).toBe(`warning: x ${REDACTED}${REDACTED} y`);
});

test('a secret is masked in its JSON-escaped form too', () => {
  const log = createMemoryLogger();
  log.addSecret('pa"ss\\word');
  log.out(JSON.stringify({ wifi: { password: 'pa"ss\\word' } }));
  expect(log.outLines[0]).toBe(`{"wifi":{"password":"${REDACTED}"}}`);
});

test('PEM private key blocks are masked without being registered: PKCS#8, PKCS#1, cut short, JSON-escaped', () => {
  const log = createMemoryLogger();
  log.info(`key:\n${pkcs8}done`);
  log.info(pkcs1);
  log.info(pkcs8.slice(0, 120));
  log.out(JSON.stringify({ key: pkcs8 }));
  const body = pkcs8.split('\n')[1];
  for (const line of [...log.lines, ...log.outLines]) {
    expect(line).not.toContain(body);
    expect(line).toContain(REDACTED);
  }
  expect(log.lines[0]).toBe(`key:\n-----BEGIN PRIVATE KEY----- ${REDACTED} -----END PRIVATE KEY-----\ndone`);
  expect(log.lines[1]).toContain('-----BEGIN RSA PRIVATE KEY----- [redacted] -----END RSA PRIVATE KEY-----');
});

test("a registered PEM is masked also as its bare base64 body (what atob(\"...\") uploads carry)", () => {
  const log = createMemoryLogger();
  log.addSecret(pkcs8);
  const bare = pkcs8.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  log.info(`Storage.write("key",atob("${bare}"))`);
  expect(log.lines[0]).toBe(`Storage.write("key",atob("${REDACTED}"))`);
});

test('binary secrets are masked as base64, hex and one-char-per-byte strings', () => {
  const log = createMemoryLogger();
  const der = Buffer.from([0x30, 0x82, 0x01, 0x0a, 0xde, 0xad, 0xbe, 0xef]);
  log.addSecret(der);
  log.info(der.toString('base64'));
  log.info(der.toString('hex'));
  log.info(der.toString('latin1'));
  expect(log.lines).toEqual([REDACTED, REDACTED, REDACTED]);
});

test('certificates and public keys are not secrets and stay readable', () => {
  const pub = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().replace(/PRIVATE/g, 'PUBLIC');
  expect(redactPrivateKeys(`-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----`)).toContain('MIIB');
  expect(redactPrivateKeys(pub)).toBe(pub);
});

test('empty and very short secrets are ignored rather than masking everything', () => {
  const log = createMemoryLogger();
  log.addSecret('');
  log.addSecret('a');
  log.addSecret(undefined);
  log.info('a banana');
  expect(log.lines[0]).toBe('a banana');
});

test('debug lines appear only when verbose', () => {
  const quiet = createMemoryLogger(false);
  quiet.debug('detail');
  expect(quiet.lines).toEqual([]);
  const loud = createMemoryLogger(true);
  loud.debug('detail');
  expect(loud.lines).toEqual(['detail']);
});
