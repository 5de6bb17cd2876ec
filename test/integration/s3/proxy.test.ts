import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../../worker/src/log/index.js";
import { readIntoOptions } from "../../../worker/src/s3/index.js";
import { type ConnectionRelay, startConnectionRelay } from "../../support/connection-relay.js";
import { type HttpProxy, startHttpProxy } from "../../support/http-proxy.js";
import { bufferSink } from "../../support/read-into.js";
import { selfSignedCert } from "../../support/tls.js";
import { clientFor, freshBucket, KiB, putObject, randomData } from "../transfer/helpers.js";

const { global } = inject("emulator");
const data = randomData(200 * KiB);
const secret = "s3cr3t-proxy-pass";
/** Node 22's default CA store calls, newer than the @types/node this project pins. */
const caStore = tls as unknown as {
  getCACertificates(which: "default"): string[];
  setDefaultCACertificates(certs: string[]): void;
};

function capturedLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ destination: { write: (s: string) => void lines.push(s) } }) };
}

/** PUTs, HEADs and GETs (asking for the read path) one object; returns the GET's sink and body. */
async function roundTrip(s3: S3Client, Bucket: string, Key: string) {
  await putObject(s3, { Bucket, Key, Body: data });
  await s3.send(new HeadObjectCommand({ Bucket, Key }));
  const into = bufferSink();
  const out = await s3.send(
    new GetObjectCommand({ Bucket, Key }),
    readIntoOptions(new AbortController().signal, into),
  );
  const body = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
  return { into, body };
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe("S3 clients behind an HTTP proxy, against the emulator", () => {
  let Bucket: string;
  let proxy: HttpProxy;
  /** The emulator's side of the proxy: every connection it accepts, and from which port. */
  let relay: ConnectionRelay;

  beforeAll(async () => {
    const s3 = await clientFor(global);
    Bucket = await freshBucket(s3, global, "proxy");
    s3.destroy();
  });

  async function setup(
    env: (relay: ConnectionRelay, proxy: HttpProxy) => Record<string, string>,
    requireAuth?: string,
  ) {
    proxy = await startHttpProxy(requireAuth === undefined ? {} : { requireAuth });
    relay = await startConnectionRelay(new URL(global.endpoint));
    const { lines, logger } = capturedLogger();
    const s3 = await clientFor(global, relay.endpoint, { proxyEnv: env(relay, proxy), logger });
    cleanup.push(
      () => s3.destroy(),
      () => relay.close(),
      () => proxy.close(),
    );
    return { s3, lines };
  }

  it("sends every request of an http endpoint through HTTP_PROXY, GETs included, and says so once", async () => {
    const { s3, lines } = await setup((_, p) => ({
      HTTP_PROXY: p.url.replace("://", `://longbow:${secret}@`),
      HTTPS_PROXY: "http://127.0.0.1:9",
    }));
    for (const key of ["a", "b"]) {
      const { into, body } = await roundTrip(s3, Bucket, key);
      // The read path is off: the body comes through the SDK, not into the target.
      expect(into.received).toBeUndefined();
      expect(body.equals(data)).toBe(true);
    }
    expect(proxy.forwarded).toBe(6);
    expect(proxy.authorizations).toHaveLength(6);
    expect(Buffer.from(proxy.authorizations[0]?.split(" ")[1] ?? "", "base64").toString()).toBe(
      `longbow:${secret}`,
    );
    // Every connection the emulator side accepted came from the proxy.
    expect(relay.accepted).toBeGreaterThan(0);
    expect([...relay.remotePorts].every((p) => proxy.upstreamPorts.has(p))).toBe(true);
    const notes = lines.map((l) => JSON.parse(l)).filter((l) => l.msg.includes("through a proxy"));
    expect(notes).toEqual([
      expect.objectContaining({
        level: "info",
        endpoint: relay.endpoint,
        proxy: proxy.url,
        variable: "HTTP_PROXY",
      }),
    ]);
    expect(lines.join("\n")).not.toContain(secret);
  });

  it("takes the lower-case http_proxy over HTTP_PROXY", async () => {
    const { s3 } = await setup((_, p) => ({ http_proxy: p.url, HTTP_PROXY: "http://127.0.0.1:9" }));
    await roundTrip(s3, Bucket, "lower");
    expect(proxy.forwarded).toBe(3);
  });

  it("goes direct, read path on, for a host NO_PROXY lists (with or without its port)", async () => {
    for (const noProxy of ["127.0.0.1", "example.com, 127.0.0.1:{port}", "*"]) {
      const { s3, lines } = await setup((r, p) => ({
        HTTP_PROXY: p.url,
        no_proxy: noProxy.replace("{port}", new URL(r.endpoint).port),
      }));
      const { into } = await roundTrip(s3, Bucket, "direct");
      expect(into.received).toBe(data.length);
      expect(into.buffer?.equals(data)).toBe(true);
      expect(proxy.forwarded + proxy.tunnels).toBe(0);
      expect(relay.accepted).toBeGreaterThan(0);
      expect(lines.filter((l) => l.includes("through a proxy"))).toEqual([]);
      for (const c of cleanup.splice(0).reverse()) await c();
    }
  });

  it("names the proxy and the variable when the proxy asks for credentials (407), without retrying", async () => {
    const { s3 } = await setup((_, p) => ({ HTTP_PROXY: p.url }), `longbow:${secret}`);
    const err: Error = await s3.send(new HeadObjectCommand({ Bucket, Key: "any" })).then(
      () => new Error("answered"),
      (e: Error) => e,
    );
    expect(err.message).toMatch(
      new RegExp(`^the proxy ${proxy.url} \\(HTTP_PROXY\\) refused the request to ${relay.endpoint}: 407`),
    );
    expect(proxy.forwarded).toBe(1);
  });

  it("still uses the proxy when NO_PROXY lists another port of the same host", async () => {
    const { s3 } = await setup((_, p) => ({ HTTP_PROXY: p.url, NO_PROXY: "127.0.0.1:1" }));
    const { into } = await roundTrip(s3, Bucket, "port");
    expect(into.received).toBeUndefined();
    expect(proxy.forwarded).toBe(3);
  });
});

describe("S3 clients of an https endpoint behind a CONNECT proxy", () => {
  let Bucket: string;
  let cert: Buffer;
  let key: Buffer;
  let defaults: string[];
  let dir: string;

  beforeAll(async () => {
    const s3 = await clientFor(global);
    Bucket = await freshBucket(s3, global, "proxy-tls");
    s3.destroy();
    dir = mkdtempSync(join(tmpdir(), "longbow-proxy-tls-"));
    ({ key, cert } = selfSignedCert(dir));
    // The emulator's TLS front is self-signed: trust it for this file's connections.
    defaults = caStore.getCACertificates("default");
    caStore.setDefaultCACertificates([...defaults, cert.toString()]);
  });

  afterAll(() => {
    caStore.setDefaultCACertificates(defaults);
    rmSync(dir, { recursive: true, force: true });
  });

  async function setup(env: (front: ConnectionRelay, proxy: HttpProxy) => Record<string, string>) {
    const proxy = await startHttpProxy();
    const front = await startConnectionRelay(new URL(global.endpoint), { tls: { key, cert } });
    const s3 = await clientFor(global, front.endpoint, { proxyEnv: env(front, proxy) });
    cleanup.push(
      () => s3.destroy(),
      () => front.close(),
      () => proxy.close(),
    );
    return { s3, proxy, front };
  }

  it("tunnels every request through HTTPS_PROXY with CONNECT, with the URL's credentials", async () => {
    const { s3, proxy, front } = await setup((_, p) => ({
      HTTPS_PROXY: p.url.replace("://", "://longbow:p%40ss@"),
      HTTP_PROXY: "http://127.0.0.1:9",
    }));
    const { into, body } = await roundTrip(s3, Bucket, "tunnelled");
    expect(into.received).toBeUndefined();
    expect(body.equals(data)).toBe(true);
    expect(proxy.tunnels).toBeGreaterThan(0);
    expect(proxy.forwarded).toBe(0);
    expect(proxy.authorizations).toEqual(
      Array(proxy.tunnels).fill(`Basic ${Buffer.from("longbow:p@ss").toString("base64")}`),
    );
    expect(front.accepted).toBe(proxy.tunnels);
    expect([...front.remotePorts].every((p) => proxy.upstreamPorts.has(p))).toBe(true);
  });

  it("reads into the target over a direct TLS connection when NO_PROXY lists the host", async () => {
    const { s3, proxy, front } = await setup((_, p) => ({
      HTTPS_PROXY: p.url,
      NO_PROXY: ".example.com,127.0.0.1",
    }));
    const { into } = await roundTrip(s3, Bucket, "direct");
    expect(into.received).toBe(data.length);
    expect(into.buffer?.equals(data)).toBe(true);
    expect(proxy.tunnels + proxy.forwarded).toBe(0);
    expect(front.accepted).toBeGreaterThan(0);
  });
});
