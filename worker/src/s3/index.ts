export { createS3Client, type S3ClientOptions, s3ClientSettings } from "./client.js";
export {
  type CredentialsFromSsmOptions,
  credentialsFromSsm,
  defaultSsmClientFactory,
  type ResolveCredentialsOptions,
  resolveCredentials,
  type SsmClientFactory,
  type SsmCredentials,
} from "./credentials.js";
export {
  awsEndpoints,
  type CredentialsRef,
  type EndpointSpec,
  normalizeEndpoint,
  partitionOf,
} from "./endpoint.js";
export { describeEndpoint } from "./endpoint-describe.js";
export { EndpointNotAllowedError, isTrustedEndpoint, parseEndpointAllowlist } from "./endpoint-trust.js";
export { EndpointUnreachableError, isConnectionFailure } from "./endpoint-watch.js";
export { CredentialsError, classifyS3Error, type S3ErrorKind, s3ErrorCode, s3HttpStatus } from "./errors.js";
export { type ReadInto, readIntoOptions } from "./read-into.js";
export { isStorageClass, type StorageClass, storageClasses } from "./storage-class.js";
