export {
  awsEndpoints,
  type CredentialsRef,
  type EndpointSpec,
  normalizeEndpoint,
  partitionOf,
} from "./endpoint.js";
export { describeEndpoint } from "./endpoint-describe.js";
export { EndpointNotAllowedError, isTrustedEndpoint, parseEndpointAllowlist } from "./endpoint-trust.js";
export {
  archiveClasses,
  isStorageClass,
  type StorageClass,
  type StorageClassChoice,
  storageClasses,
} from "./storage-class.js";
