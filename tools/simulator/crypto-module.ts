// require("crypto"): the hashes the build has (SHA1 on ESP8266; SHA224..SHA512 too on ESP32),
// each returning an ArrayBuffer of the digest. No AES or PBKDF2.
import nodeCrypto from 'node:crypto';
import type { Realm } from './realm';
import { arrayBufferOf, bytesOf } from './storage-module';

const algo: Record<string, string> = { SHA1: 'sha1', SHA224: 'sha224', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };

export function createCryptoModule(realm: Realm, hashes: string[]): object {
  const m = new realm.R.Object();
  for (const name of hashes) {
    Object.defineProperty(m, name, {
      enumerable: true,
      value: (data: unknown) => arrayBufferOf(realm, nodeCrypto.createHash(algo[name]).update(bytesOf(data)).digest()),
    });
  }
  return m;
}
