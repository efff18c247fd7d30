// SHA-1 of a byte string (one char a byte) as a 20-char byte string: the hash the firmware's gateway
// auth (firmware/core/gateway-auth.ts) takes. On the device it is crypto.SHA1; on the host, node:crypto.
import { createHash } from 'node:crypto';

export const sha1 = (s: string): string => createHash('sha1').update(Buffer.from(s, 'latin1')).digest().toString('latin1');
