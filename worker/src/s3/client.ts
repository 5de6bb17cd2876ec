import {
  S3Client,
  type S3ClientConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-s3";
import { StandardRetryStrategy } from "@smithy/core/retry";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentityProvider, BuildMiddleware } from "@smithy/types";
import type { EndpointSpec } from "../endpoint/index.js";
import { describeEndpoint } from "../endpoint/index.js";
import { LongbowError } from "../errors.js";
import { type Logger, silentLogger } from "../log/index.js";
import { defaultSettings, type Settings } from "../settings/index.js";
import { budgetedAgents } from "./agents.js";
import { resolveCredentials, type SsmClientFactory } from "./credentials.js";
import { EndpointWatch, explainMiddleware, WatchedHandler, watchedRetryStrategy } from "./endpoint-watch.js";
import { type ClientRole, explainedCredentials, explainRefusalMiddleware } from "./explain-refusal.js";
import { ConnectionPool } from "./http1/connection-pool.js";
import { proxyRoutes } from "./proxy.js";
import { ReadIntoHandler } from "./read-into-handler.js";
import { retryLogMiddleware } from "./retry-log.js";
import { SocketBudget } from "./socket-budget.js";

/** Parked connections of the read path close after this long (S3 closes idle ones after about 20 s). */
const idleConnectionMs = 15_000;

/** Options of {@link createS3Client}. */
export interface S3ClientOptions {
  /**
   * Open connections per client, over the SDK's handler and the read path together. Size
   * it to the transfer pool that will use the client (see `TransferPool`), so no part waits
   * for a socket while holding its bytes. @defaultValue 64
   */
  maxSockets?: number;
  /**
   * Attempts per request (the first plus retries). Retries use the SDK's standard mode:
   * exponential backoff with full jitter for throttling, 5xx, connection resets and timeouts.
   * @defaultValue settings.maxRetries (20)
   */
  maxAttempts?: number;
  /**
   * Attempts per request for connection failures (refused, reset, unreachable, timed out)
   * while the endpoint has never answered; then the request fails with a message naming the
   * endpoint. @defaultValue 3
   */
  unansweredAttempts?: number;
  /** Give up connecting after this long. @defaultValue settings.connectTimeoutMs (10000) */
  connectionTimeoutMs?: number;
  /**
   * Until the endpoint has answered once, fail a request whose connection stays silent this
   * long. @defaultValue settings.firstByteTimeoutMs (30000)
   */
  firstByteTimeoutMs?: number;
  /**
   * Once the endpoint has answered, close a socket that stays silent this long (a stalled
   * transfer), so the request is retried. @defaultValue settings.idleTimeoutMs (120000)
   */
  socketTimeoutMs?: number;
  /**
   * Credentials to use instead of resolving `spec.credentials`, for callers that already
   * hold them (tests against the emulator, a caller that read SSM itself).
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Builds the SSM client for `{ ssmParameter }` credentials (tests point it at the emulator). */
  ssmClientFactory?: SsmClientFactory;
  /**
   * Where every failed request attempt is logged at debug (see retryLogMiddleware), and long
   * waits for an endpoint that has not answered yet at info (see EndpointWatch).
   * @defaultValue none (nothing logged)
   */
  logger?: Logger;
  /**
   * The side of the copy this client serves, named in messages about refused requests and
   * missing credentials. @defaultValue none (messages name the endpoint only)
   */
  side?: "source" | "destination";
  /**
   * Where `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (or their lower-case forms) are read.
   * @defaultValue process.env
   */
  proxyEnv?: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
}

/** The client options the runtime settings decide: attempts and timeouts. */
export function s3ClientSettings(
  settings: Pick<Settings, "maxRetries" | "connectTimeoutMs" | "firstByteTimeoutMs" | "idleTimeoutMs">,
): Pick<S3ClientOptions, "maxAttempts" | "connectionTimeoutMs" | "firstByteTimeoutMs" | "socketTimeoutMs"> {
  return {
    maxAttempts: settings.maxRetries,
    connectionTimeoutMs: settings.connectTimeoutMs,
    firstByteTimeoutMs: settings.firstByteTimeoutMs,
    socketTimeoutMs: settings.idleTimeoutMs,
  };
}

function validate(
  o: Required<
    Omit<S3ClientOptions, "ssmClientFactory" | "signal" | "credentials" | "logger" | "side" | "proxyEnv">
  >,
): void {
  const check = (name: keyof typeof o, min: number) => {
    const v = o[name];
    if (!Number.isSafeInteger(v) || v < min) {
      throw new LongbowError(
        "InvalidOption",
        `S3ClientOptions.${name} must be a whole number >= ${min}, got ${v}`,
      );
    }
  };
  check("maxSockets", 1);
  check("maxAttempts", 1);
  check("unansweredAttempts", 1);
  check("connectionTimeoutMs", 1);
  check("firstByteTimeoutMs", 1);
  check("socketTimeoutMs", 1);
}

/**
 * Signs a request that carries Content-MD5 with `UNSIGNED-PAYLOAD` instead of a SHA-256 of
 * its body. The MD5 already binds the body (S3 rejects a body that does not match it, and
 * the signature covers the header), so hashing every byte a second time only costs CPU:
 * about a third of the engine's hashing. Requests without Content-MD5 are signed as usual.
 */
const unsignedPayloadWithContentMd5: BuildMiddleware<ServiceInputTypes, ServiceOutputTypes> =
  (next) => async (args) => {
    const headers = (args.request as { headers?: Record<string, string> }).headers;
    if (headers !== undefined) {
      const names = Object.keys(headers).map((h) => h.toLowerCase());
      if (names.includes("content-md5") && !names.includes("x-amz-content-sha256")) {
        headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
      }
    }
    return next(args);
  };

/**
 * The credentials of `spec`: a provider for the default chain or a profile, wrapped so
 * that finding none says so (side, endpoint, where it looked, what to do); fixed keys from
 * an SSM parameter as read.
 */
async function explainedResolve(
  spec: EndpointSpec,
  role: ClientRole,
  options: S3ClientOptions,
): Promise<S3ClientConfig["credentials"]> {
  const resolved = await resolveCredentials(spec.credentials, {
    ...(options.ssmClientFactory === undefined ? {} : { ssmClientFactory: options.ssmClientFactory }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (resolved !== undefined && typeof resolved !== "function") return resolved;
  const provider = resolved ?? (await import("@aws-sdk/credential-providers")).fromNodeProviderChain();
  return explainedCredentials(provider as AwsCredentialIdentityProvider, role);
}

/**
 * Builds the S3 client for one side of a copy. Credentials come from the spec's reference
 * (default chain, profile, or SSM parameter, read once here). Checksums are left to the
 * transfer engine, which sends Content-MD5 itself and checks every ETag, so the SDK neither
 * adds request checksums, nor hashes bodies that carry Content-MD5 for the signature, nor
 * validates response checksums (the latter also trips on emulators that serve a
 * whole-object Content-MD5 on ranged GETs).
 */
export async function createS3Client(spec: EndpointSpec, options: S3ClientOptions = {}): Promise<S3Client> {
  const o = {
    maxSockets: options.maxSockets ?? 64,
    maxAttempts: options.maxAttempts ?? defaultSettings.maxRetries,
    unansweredAttempts: options.unansweredAttempts ?? 3,
    connectionTimeoutMs: options.connectionTimeoutMs ?? defaultSettings.connectTimeoutMs,
    firstByteTimeoutMs: options.firstByteTimeoutMs ?? defaultSettings.firstByteTimeoutMs,
    socketTimeoutMs: options.socketTimeoutMs ?? defaultSettings.idleTimeoutMs,
  };
  validate(o);
  const role = {
    endpoint: describeEndpoint(spec),
    credentials: spec.credentials,
    ...(options.side === undefined ? {} : { side: options.side }),
  };
  // A malformed proxy variable fails before any credential is looked up.
  const proxies = proxyRoutes(options.proxyEnv ?? process.env);
  const credentials = options.credentials ?? (await explainedResolve(spec, role, options));
  const logger = options.logger ?? silentLogger;
  // One budget for every connection of the client: the SDK's agents and the read path's pool.
  const budget = new SocketBudget(o.maxSockets);
  // Silence is judged by the first-byte timeout until the endpoint answers, then by the idle one.
  const sdkHandler = (via?: typeof proxies) =>
    new NodeHttpHandler({
      connectionTimeout: o.connectionTimeoutMs,
      socketTimeout: o.firstByteTimeoutMs,
      ...budgetedAgents(budget, via),
    });
  const handler = new ReadIntoHandler({
    direct: sdkHandler(),
    budget,
    // The read path serves part GETs, which follow a HEAD that has answered: idle timeout.
    pool: new ConnectionPool(budget, {
      connectMs: o.connectionTimeoutMs,
      socketMs: o.socketTimeoutMs,
      idleMs: idleConnectionMs,
    }),
    ...(proxies.http === undefined && proxies.https === undefined
      ? {}
      : { proxies: { routes: proxies, proxied: sdkHandler(proxies), logger } }),
  });
  const watch = new EndpointWatch(
    describeEndpoint(spec),
    { connectMs: o.connectionTimeoutMs, firstByteMs: o.firstByteTimeoutMs, idleMs: o.socketTimeoutMs },
    handler,
    Math.min(o.unansweredAttempts, o.maxAttempts),
    logger,
  );
  const client = new S3Client({
    region: spec.region,
    ...(spec.endpoint === undefined ? {} : { endpoint: spec.endpoint }),
    forcePathStyle: spec.endpoint !== undefined || spec.forcePathStyle === true,
    ...(credentials === undefined ? {} : { credentials }),
    maxAttempts: o.maxAttempts,
    retryStrategy: watchedRetryStrategy(new StandardRetryStrategy(o.maxAttempts), watch),
    responseChecksumValidation: "WHEN_REQUIRED",
    requestChecksumCalculation: "WHEN_REQUIRED",
    // Every part would otherwise wait one round trip for "100 Continue" before its body
    // leaves (200+ ms per part on a cross-border link). Bodies go to the bucket's own
    // regional endpoint, so the redirect that header guards against does not happen, and a
    // refusal shows up first on the HEAD or CreateMultipartUpload before any body is sent.
    expectContinueHeader: false,
    requestHandler: new WatchedHandler(handler, watch),
  });
  client.middlewareStack.add(explainMiddleware<ServiceInputTypes, ServiceOutputTypes>(watch), {
    step: "initialize",
    name: "longbowExplainUnreachableEndpoint",
  });
  client.middlewareStack.add(explainRefusalMiddleware<ServiceInputTypes, ServiceOutputTypes>(role), {
    step: "initialize",
    name: "longbowExplainRefusal",
  });
  client.middlewareStack.add(unsignedPayloadWithContentMd5, {
    step: "build",
    name: "longbowUnsignedPayloadWithContentMd5",
  });
  if (options.logger !== undefined) {
    client.middlewareStack.add(retryLogMiddleware(options.logger), {
      step: "deserialize",
      priority: "high",
      name: "longbowRetryLog",
    });
  }
  return client;
}
