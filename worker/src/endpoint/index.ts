export {
  awsEndpoints,
  type CredentialsRef,
  type EndpointSpec,
  normalizeEndpoint,
  partitionOf,
} from "./endpoint.js";
export { describeEndpoint } from "./endpoint-describe.js";
export { EndpointNotAllowedError, isTrustedEndpoint, parseEndpointAllowlist } from "./endpoint-trust.js";
export { isStorageClass, type StorageClass, storageClasses } from "./storage-class.js";
