// The README is the test: the fenced command blocks of "From a fresh NodeMCU to AWS IoT", in order,
// run as written, with only what must differ here substituted: the serial port becomes a virtual
// NodeMCU's console (--port tcp://...), the LAN is loopback (mDNS on 127.0.0.1), AWS's control
// plane is aws-sdk-client-mock (aws-setup runs in-process), and the AWS endpoint is the AWS-like
// broker (the mocked DescribeEndpoint names it; the gateway and monitor get its port and CA). Then
// a press of the virtual FLASH button must show in the README's own cloud view, npm run monitor,
// and (the optional step 7, --iot-button-compat) once on iotbutton/<thing> in the AWS IoT Button's
// shape: the mocked CreateTopicRule installs the AWS-like broker's emulation of the rule, as
// creating it does on AWS. IAM is mocked too. A step that fails is named.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateTopicRuleCommand,
  DescribeCertificateCommand,
  DescribeEndpointCommand,
  DescribeThingCommand,
  GetPolicyCommand,
  GetTopicRuleCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
  ResourceNotFoundException,
  UnauthorizedException,
} from '@aws-sdk/client-iot';
import { CreateRoleCommand, GetRoleCommand, IAMClient, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import mqtt from 'mqtt';
import { emulateIotButtonRule } from '../../tools/broker/iot-button-rule';
import { iotButtonRuleSql, USB_VOLTAGE } from '../../tools/shared/iot-button-shape';
import { mockClient } from 'aws-sdk-client-mock';
import { startAwsLikeBroker, type AwsLikeBroker } from '../../tools/broker/aws-like-broker';
import { runSimulator, type RunningSimulator } from '../../tools/simulator/run';
import { createProgram } from '../../tools/program';
import { createTempPki, type TempPki } from '../support/pki';
import { ROOT } from '../support/run-tool';

const WIFI_PASSWORD = 'readme-wifi-pass';
const ACCOUNT = '123456789012';

/** The getting-started section's commands, block by block, in order. */
export function readmeSteps(readme: string): string[] {
  const start = readme.indexOf('## From a fresh NodeMCU to AWS IoT');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const steps: string[] = [];
  for (const m of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of m[1].split('\n').map((l) => l.trim())) if (line && !line.startsWith('#')) steps.push(line);
  }
  return steps;
}

/** `npm run NAME -- ARGS` as the script name and its arguments (the README uses no quoting). */
function parseStep(step: string): { script: string; args: string[] } {
  const m = /^npm run ([\w-]+)(?: -- (.*))?$/.exec(step);
  if (!m || /["'`$\\|;&<>]/.test(step)) throw new Error(`README step "${step}" is not a plain npm run command this test can run`);
  return { script: m[1], args: m[2] ? m[2].split(/\s+/) : [] };
}

const iot = mockClient(IoTClient);
const iam = mockClient(IAMClient);
/** Removes the rule emulation a variant's CreateTopicRule installed. */
let dropRule: (() => void) | undefined;
let temp: TempPki;
let broker: AwsLikeBroker;
let work: string;
const children: ChildProcess[] = [];
const mdns = `127.0.0.1:${20000 + Math.floor(Math.random() * 20000)}`;

/** AWS IoT as far as aws-setup sees it; certificates are signed by the AWS-like broker's CA. */
function fakeAws(): void {
  const things = new Map<string, string>();
  const certs = new Map<string, string>();
  const policies = new Map<string, string>();
  const caCert = forge.pki.certificateFromPem(readFileSync(temp.pki.caPath, 'utf8'));
  const caKey = forge.pki.privateKeyFromPem(readFileSync(join(temp.pki.caPath, '..', 'ca.key'), 'utf8'));
  const arn = (rest: string) => `arn:aws:iot:eu-west-1:${ACCOUNT}:${rest}`;
  iot.reset();
  iot.on(DescribeEndpointCommand).resolves({ endpointAddress: '127.0.0.1' });
  iot.on(DescribeThingCommand).callsFake(({ thingName }) => {
    if (!things.has(thingName)) throw new ResourceNotFoundException({ message: 'not found', $metadata: {} });
    return { thingName, thingArn: things.get(thingName) };
  });
  iot.on(CreateThingCommand).callsFake(({ thingName }) => {
    things.set(thingName, arn(`thing/${thingName}`));
    return { thingName, thingArn: arn(`thing/${thingName}`) };
  });
  iot.on(CreateCertificateFromCsrCommand).callsFake(({ certificateSigningRequest }) => {
    const csr = forge.pki.certificationRequestFromPem(certificateSigningRequest);
    const cert = forge.pki.createCertificate();
    cert.publicKey = csr.publicKey!;
    cert.serialNumber = '0a01';
    cert.validity.notBefore = new Date(Date.now() - 86400000);
    cert.validity.notAfter = new Date(Date.now() + 365 * 86400000);
    cert.setSubject(csr.subject.attributes);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions([{ name: 'basicConstraints', cA: false }, { name: 'extKeyUsage', clientAuth: true }]);
    cert.sign(caKey, forge.md.sha256.create());
    const pem = forge.pki.certificateToPem(cert);
    const id = forge.md.sha256.create().update(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes()).digest().toHex();
    certs.set(id, arn(`cert/${id}`));
    return { certificatePem: pem, certificateId: id, certificateArn: arn(`cert/${id}`) };
  });
  // Step 7 runs aws-setup again: it finds the thing's certificate active.
  iot.on(DescribeCertificateCommand).callsFake(({ certificateId }) => {
    if (!certs.has(certificateId)) throw new ResourceNotFoundException({ message: 'not found', $metadata: {} });
    return { certificateDescription: { certificateId, certificateArn: certs.get(certificateId), status: 'ACTIVE' } };
  });
  // The AWS IoT Button rule: AWS IoT answers a missing rule with UnauthorizedException; creating it
  // switches the rule on in the stand-in data plane, the AWS-like broker.
  iot.on(GetTopicRuleCommand).rejects(new UnauthorizedException({ message: 'not authorized', $metadata: {} }));
  iot.on(CreateTopicRuleCommand).callsFake(({ topicRulePayload }) => {
    if (topicRulePayload.sql !== iotButtonRuleSql('devices')) throw new Error(`unexpected rule SQL ${topicRulePayload.sql}`);
    dropRule ??= emulateIotButtonRule(broker.aedes, 'devices');
    return {};
  });
  iam.reset();
  iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'no such role', $metadata: {} }));
  iam.on(CreateRoleCommand).callsFake(({ RoleName }) => ({ Role: { RoleName, Arn: `arn:aws:iam::${ACCOUNT}:role/${RoleName}`, Path: '/', RoleId: 'AROA1', CreateDate: new Date() } }));
  iam.on(PutRolePolicyCommand).resolves({});
  iot.on(GetPolicyCommand).callsFake(({ policyName }) => {
    if (!policies.has(policyName)) throw new ResourceNotFoundException({ message: 'not found', $metadata: {} });
    return { policyName, policyDocument: policies.get(policyName), defaultVersionId: '1' };
  });
  iot.on(CreatePolicyCommand).callsFake(({ policyName, policyDocument }) => {
    policies.set(policyName, policyDocument);
    return { policyName, policyVersionId: '1' };
  });
  iot.on(ListAttachedPoliciesCommand).resolves({ policies: [] });
  iot.on(AttachPolicyCommand).resolves({});
  iot.on(ListThingPrincipalsCommand).resolves({ principals: [] });
  iot.on(AttachThingPrincipalCommand).resolves({});
}

/** What a long-running step (gateway, monitor) has printed so far. */
const outputs = new Map<string, () => string>();

/** Runs `tools/cli.ts` as `npm run` would, from the user's folder; resolves on exit, or when `ready` matches (long-running). */
function cli(script: string, args: string[], env: Record<string, string>, ready?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'tools/cli.ts'), script, ...args], { cwd: work, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    outputs.set(script, () => out);
    const seen = (d: Buffer) => {
      out += d.toString();
      if (ready && ready.test(out)) resolve({ code: null, out });
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm run ${script} did not finish in 180 s:\n${out}`));
    }, 180000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

beforeAll(async () => {
  temp = createTempPki();
  // The AWS-like broker's stand-in for IoT policies: observers may watch every thing; the watcher
  // aws-setup makes (button-monitor) is one, as its policy makes it on AWS.
  broker = await startAwsLikeBroker({ port: 0, pki: temp.pki, observers: ['observer', 'button-monitor'] });
}, 60000);

async function stopChildren(): Promise<void> {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('close', r)) : undefined)));
  children.length = 0;
}

afterAll(async () => {
  await stopChildren();
  iot.restore();
  iam.restore();
  await broker.close();
  temp.cleanup();
});

test('the README names the path: aws-setup, gateway, provision, flash, monitor, then aws-setup --iot-button-compat', () => {
  const scripts = readmeSteps(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((s) => parseStep(s).script);
  expect(scripts).toEqual(['aws-setup', 'gateway', 'provision', 'flash', 'monitor', 'aws-setup']);
});

const variants = [
  { name: 'a stock ESP8266 (no TLS: through the LAN gateway)', profile: 'esp8266' as const, tls: false },
  { name: 'a board whose Espruino has TLS (direct to AWS, the gateway step skipped as the README says)', profile: 'esp32' as const, tls: true },
];

test.each(variants)('$name: from unboxing to a press in the cloud, following the README as written', async (v) => {
  work = mkdtempSync(join(tmpdir(), 'readme-path-'));
  // A fresh NodeMCU with stock Espruino: empty Storage, and a Wi-Fi network named as in the README.
  const sim: RunningSimulator = await runSimulator({ consolePort: 0, profile: v.profile, wifi: { ssid: 'HomeNet', password: WIFI_PASSWORD } });
  fakeAws();
  const before = broker.aedes.connectedClients;
  // A Lambda's view of iotbutton/#: a backend watching the AWS IoT Button copies.
  const lambda = await mqtt.connectAsync(`mqtts://127.0.0.1:${broker.port}`, { ...temp.tlsFor('observer'), clientId: 'observer', protocolVersion: 4, reconnectPeriod: 0 });
  const copies: { topic: string; payload: string }[] = [];
  lambda.on('message', (topic, payload) => copies.push({ topic, payload: payload.toString() }));
  await lambda.subscribeAsync('iotbutton/#', { qos: 1 });
  try {
    const steps = readmeSteps(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    const env = { WIFI_PASSWORD, BUTTON_MDNS: mdns };
    const port = ['--port', `tcp://127.0.0.1:${sim.port}`];
    for (const step of steps) {
      const { script, args } = parseStep(step);
      let result: { code: number | null; out: string };
      if (script === 'aws-setup') {
        // In-process, where IoTClient is mocked; from the user's folder.
        const cwd = process.cwd();
        process.chdir(work);
        try {
          await createProgram().exitOverride().parseAsync(['node', 'cli', script, ...args]);
          result = { code: 0, out: '' };
        } catch (e) {
          result = { code: 1, out: String(e) };
        } finally {
          process.chdir(cwd);
        }
      } else if (script === 'gateway') {
        if (v.tls) continue;
        // Loopback only; AWS is the AWS-like broker, whose CA is not Amazon's.
        result = await cli(script, [...args, '--bind', '127.0.0.1', '--port', '0', '--aws-port', String(broker.port), '--ca', temp.pki.caPath], env, /listening on/);
      } else if (script === 'provision') {
        // Direct TLS: the device itself must reach the AWS-like broker and trust its CA.
        const aws = v.tls ? ['--endpoint', `127.0.0.1:${broker.port}`, '--ca', temp.pki.caPath] : [];
        result = await cli(script, [...args, ...port, ...aws], env);
      } else if (script === 'flash' || script === 'doctor' || script === 'config') {
        result = await cli(script, [...args, ...port], env);
      } else if (script === 'monitor') {
        // The cloud view, as the README's own command: AWS is the AWS-like broker (its port and CA).
        result = await cli(script, [...args, '--port', String(broker.port), '--ca', temp.pki.caPath], env, /Watching/);
      } else throw new Error(`README step "${step}": this test does not know what to substitute for npm run ${script}`);
      if (result.code !== null && result.code !== 0) throw new Error(`README step "${step}" failed (exit ${result.code}):\n${result.out}`);
    }

    // The device is online once it (or the gateway for it) is connected to "AWS"; then the press.
    for (let i = 0; i < 600 && broker.aedes.connectedClients < before + 3; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    await sim.device.press(120);
    const monitor = outputs.get('monitor');
    if (!monitor) throw new Error('the README has no npm run monitor step: nothing shows the press in the cloud');
    for (let i = 0; i < 600 && !/my-button\s+SINGLE\s+seq 1/.test(monitor()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(monitor()).toMatch(/my-button\s+SINGLE\s+seq 1/);
    // Step 7: the press once more, in the AWS IoT Button's shape, whether the board is direct or behind the gateway.
    for (let i = 0; i < 100 && copies.length < 1; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect(copies).toEqual([{ topic: 'iotbutton/my-button', payload: JSON.stringify({ serialNumber: 'my-button', batteryVoltage: USB_VOLTAGE, clickType: 'SINGLE' }) }]);
  } finally {
    dropRule?.();
    dropRule = undefined;
    await lambda.endAsync(true);
    await stopChildren();
    await sim.close();
    rmSync(work, { recursive: true, force: true });
  }
}, 300000);
