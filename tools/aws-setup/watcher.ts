// aws-setup's last step: the cloud watcher identity `npm run monitor` uses by itself against AWS IoT,
// in certs/cloud-watcher/ (key 0600, made here; certificate from its CSR; watcher.json), with a
// policy that may only subscribe to and receive the buttons' events and status. Kept on re-runs.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CERT_FILE, KEY_FILE } from '../certificates';
import { writeAtomic } from '../shared/write-atomic';
import type { Logger } from '../shared/log';
import { createCsr } from './device-key';
import type { IotSteps } from './iot-steps';
import { policyText, watcherPolicy, WATCHER_CLIENT_ID, type PolicyScope } from './policy';

export const WATCHER_DIR = join('certs', 'cloud-watcher');
export const WATCHER_FILE = 'watcher.json';

export interface WatcherInfo {
  endpoint: string;
  port: number;
  clientId: string;
  certificateId: string;
  certificateArn: string;
  policyName: string;
}

/** certs/cloud-watcher/watcher.json under cwd, if aws-setup made one. */
export function readWatcher(cwd: string): (WatcherInfo & { dir: string }) | undefined {
  const dir = join(cwd, WATCHER_DIR);
  try {
    return { ...(JSON.parse(readFileSync(join(dir, WATCHER_FILE), 'utf8')) as WatcherInfo), dir };
  } catch {
    return undefined;
  }
}

export async function ensureWatcher(a: {
  cwd: string;
  aws: IotSteps;
  scope: PolicyScope;
  topicPrefix: string;
  endpoint: string;
  log: Logger;
  changes: string[];
  generateKey: () => Promise<string>;
}): Promise<WatcherInfo> {
  const dir = join(a.cwd, WATCHER_DIR);
  const policyName = 'button-monitor-policy';
  const policy = await a.aws.ensurePolicy(policyName, policyText(watcherPolicy(a.scope, a.topicPrefix)));
  if (policy.kind !== 'unchanged') a.changes.push(`${policy.kind} policy ${policyName}`);
  const old = readWatcher(a.cwd);
  let cert: { id: string; arn: string };
  if (old && existsSync(join(dir, CERT_FILE)) && existsSync(join(dir, KEY_FILE))) {
    cert = { id: old.certificateId, arn: old.certificateArn };
  } else {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keyPem = await a.generateKey();
    a.log.addSecret(keyPem);
    const created = await a.aws.createCertificate(createCsr(keyPem, WATCHER_CLIENT_ID));
    writeAtomic(join(dir, KEY_FILE), keyPem, 0o600);
    writeAtomic(join(dir, CERT_FILE), created.pem, 0o644);
    a.changes.push(`created the cloud watcher certificate ${created.id}`);
    cert = { id: created.id, arn: created.arn };
  }
  if (await a.aws.ensurePolicyAttached(policyName, cert.arn)) a.changes.push(`attached policy ${policyName} to the cloud watcher`);
  const info: WatcherInfo = { endpoint: a.endpoint, port: 8883, clientId: WATCHER_CLIENT_ID, certificateId: cert.id, certificateArn: cert.arn, policyName };
  writeAtomic(join(dir, WATCHER_FILE), JSON.stringify(info, null, 2) + '\n', 0o644);
  return info;
}
