// The endpoint model is its own folder (config needs it without loading the S3 client); re-exported for callers of s3.
export {
  awsEndpoints,
  type CredentialsRef,
  describeEndpoint,
  EndpointNotAllowedError,
  type EndpointSpec,
  isStorageClass,
  isTrustedEndpoint,
  normalizeEndpoint,
  parseEndpointAllowlist,
  partitionOf,
  type StorageClass,
  storageClasses,
} from "../endpoint/index.js";
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
export { EndpointUnreachableError, isConnectionFailure } from "./endpoint-watch.js";
export { CredentialsError, classifyS3Error, type S3ErrorKind, s3ErrorCode, s3HttpStatus } from "./errors.js";
export { type ReadInto, readIntoOptions } from "./read-into.js";
