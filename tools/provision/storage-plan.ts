// Which Storage files a provisioning writes and which it erases afterwards. DER files get
// content-addressed names (kind-<8 hex of SHA-256>.der): new ones never overwrite the files the
// running config names, so the old identity works until config.json switches. It talks to no device.
import { createHash } from 'node:crypto';
import { configDefaults } from '../../config/rules';

export const CONFIG_FILE = 'config.json';
/** Written and verified before config.json is rewritten; the firmware falls back to it. */
export const CONFIG_BACKUP = 'config.bak';

const OURS = /^(key|cert|ca)-[0-9a-f]{8}\.der$/;
/** The tls names a config without a tls section uses. */
const DEFAULT_TLS = configDefaults().tls as { key: string; cert: string; ca: string };

export interface StorageFile {
  name: string;
  data: Buffer;
}

export function derName(kind: 'key' | 'cert' | 'ca', der: Buffer): string {
  return `${kind}-${createHash('sha256').update(der).digest('hex').slice(0, 8)}.der`;
}

/** The DER file names an old config.json points at (the defaults when it names none). */
export function namedByConfig(old: Record<string, unknown> | undefined, oldMissing: boolean): string[] {
  if (!old) return oldMissing ? Object.values(DEFAULT_TLS) : [];
  const tls = old.tls !== null && typeof old.tls === 'object' ? (old.tls as Record<string, unknown>) : {};
  return (['key', 'cert', 'ca'] as const).map((k) => (typeof tls[k] === 'string' ? (tls[k] as string) : DEFAULT_TLS[k]));
}

/**
 * DER files to erase once the new config.json is in place: those the old config named and ours
 * left by earlier runs (an interrupted one leaves new files unreferenced), never the new ones.
 */
export function filesToErase(existing: string[], keep: string[], oldNamed: string[]): string[] {
  return existing.filter((n) => !keep.includes(n) && (OURS.test(n) || oldNamed.includes(n)));
}
