// A stateful stand-in for AWS IoT's control plane behind aws-sdk-client-mock (AWS cannot be
// reached from here): things, certificates really signed from the CSR, policies with versions and
// attachments, so re-runs see what earlier runs created. Shared by the aws-setup tests.
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateThingCommand,
  DescribeCertificateCommand,
  DescribeEndpointCommand,
  DescribeThingCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
  ResourceNotFoundException,
  VersionsLimitExceededException,
} from '@aws-sdk/client-iot';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { ServiceInputTypes, ServiceOutputTypes, IoTClientResolvedConfig } from '@aws-sdk/client-iot';
import forge from 'node-forge';
import { certificateId } from '../../tools/certificates';
import type { TestPki } from './cert-fixtures';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const ENDPOINT = 'abc123example-ats.iot.eu-west-1.amazonaws.com';
const notFound = (what: string) => new ResourceNotFoundException({ message: `${what} not found`, $metadata: {} });

export type IotMock = AwsStub<ServiceInputTypes, ServiceOutputTypes, IoTClientResolvedConfig>;

export interface FakeAws {
  things: Map<string, string>;
  certs: Map<string, { arn: string; status: string; pem: string }>;
  policies: Map<string, string[]>;
  attachedPolicies: Map<string, Set<string>>;
  principals: Map<string, Set<string>>;
}

/** An AWS IoT that remembers what was created; CreateCertificateFromCsr really signs the CSR. */
export function fakeAwsIot(iot: IotMock, awsCa: TestPki): FakeAws {
  const s: FakeAws = { things: new Map(), certs: new Map(), policies: new Map(), attachedPolicies: new Map(), principals: new Map() };
  const arn = (rest: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:${rest}`;
  iot.reset();
  iot.on(DescribeEndpointCommand).resolves({ endpointAddress: ENDPOINT });
  iot.on(DescribeThingCommand).callsFake(({ thingName }) => {
    const thingArn = s.things.get(thingName);
    if (!thingArn) throw notFound(`thing ${thingName}`);
    return { thingName, thingArn };
  });
  iot.on(CreateThingCommand).callsFake(({ thingName }) => {
    s.things.set(thingName, arn(`thing/${thingName}`));
    return { thingName, thingArn: arn(`thing/${thingName}`) };
  });
  iot.on(CreateCertificateFromCsrCommand).callsFake(({ certificateSigningRequest, setAsActive }) => {
    const csr = forge.pki.certificationRequestFromPem(certificateSigningRequest);
    if (!csr.verify()) throw new Error('bad CSR signature');
    const cert = forge.pki.createCertificate();
    cert.publicKey = csr.publicKey!;
    cert.serialNumber = '0a' + String(s.certs.size + 1).padStart(4, '0');
    cert.validity.notBefore = new Date(Date.now() - 86400000);
    cert.validity.notAfter = new Date(Date.now() + 365 * 86400000);
    cert.setSubject(csr.subject.attributes);
    cert.setIssuer([{ name: 'commonName', value: 'Fake AWS IoT CA' }]);
    cert.sign(forge.pki.privateKeyFromPem(awsCa.ca.key.pem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
    const pem = forge.pki.certificateToPem(cert);
    const id = certificateId(pem);
    s.certs.set(id, { arn: arn(`cert/${id}`), status: setAsActive ? 'ACTIVE' : 'INACTIVE', pem });
    return { certificateArn: arn(`cert/${id}`), certificateId: id, certificatePem: pem };
  });
  iot.on(DescribeCertificateCommand).callsFake(({ certificateId: id }) => {
    const c = s.certs.get(id);
    if (!c) throw notFound(`certificate ${id}`);
    return { certificateDescription: { certificateId: id, certificateArn: c.arn, status: c.status, certificatePem: c.pem } };
  });
  iot.on(GetPolicyCommand).callsFake(({ policyName }) => {
    const v = s.policies.get(policyName);
    if (!v) throw notFound(`policy ${policyName}`);
    // AWS hands documents back reformatted: compact, so only a semantic comparison matches.
    return { policyName, policyDocument: JSON.stringify(JSON.parse(v[v.length - 1])), defaultVersionId: String(v.length) };
  });
  iot.on(CreatePolicyCommand).callsFake(({ policyName, policyDocument }) => {
    s.policies.set(policyName, [policyDocument]);
    return { policyName, policyVersionId: '1' };
  });
  iot.on(CreatePolicyVersionCommand).callsFake(({ policyName, policyDocument }) => {
    const v = s.policies.get(policyName)!;
    if (v.length >= 5) throw new VersionsLimitExceededException({ message: 'five versions', $metadata: {} });
    v.push(policyDocument);
    return { policyVersionId: String(v.length), isDefaultVersion: true };
  });
  iot.on(ListAttachedPoliciesCommand).callsFake(({ target }) => ({ policies: [...(s.attachedPolicies.get(target) ?? [])].map((policyName) => ({ policyName })) }));
  iot.on(AttachPolicyCommand).callsFake(({ policyName, target }) => {
    s.attachedPolicies.set(target, new Set([...(s.attachedPolicies.get(target) ?? []), policyName]));
    return {};
  });
  iot.on(ListThingPrincipalsCommand).callsFake(({ thingName }) => ({ principals: [...(s.principals.get(thingName) ?? [])] }));
  iot.on(AttachThingPrincipalCommand).callsFake(({ thingName, principal }) => {
    s.principals.set(thingName, new Set([...(s.principals.get(thingName) ?? []), principal]));
    return {};
  });
  return s;
}
