// The certificates module's public face: find, validate and convert a thing's identity.
// Used by provision, doctor, aws-setup and the gateway; it talks to no device and no AWS.
export { loadIdentity, EXPIRY_WARNING_DAYS, type Identity, type LoadIdentityOptions } from './load-identity';
export {
  locateIdentity,
  certificateCandidates,
  displayPath,
  CERT_FILE,
  KEY_FILE,
  CA_FILE,
  AMAZON_ROOT_CA1_URL,
  type IdentityLocation,
  type IdentityPaths,
} from './locate-identity';
export { certificateId, commonName } from './certificate-id';
export { amazonRootCa1Pem, BUILTIN_CA_NAME } from './amazon-root-ca';
