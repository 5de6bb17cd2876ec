import { describe, expect, it } from "vitest";
import { checkEndpoints } from "../../../action/src/aws.js";
import { parseInputs } from "../../../action/src/inputs.js";
import { normalizeMigration } from "../../../worker/src/config/index.js";
import {
  awsEndpoints,
  isTrustedEndpoint,
  normalizeEndpoint,
  parseEndpointAllowlist,
} from "../../../worker/src/s3/index.js";

describe("normalizeEndpoint", () => {
  it.each([
    ["HTTPS://S3.Example.COM:443/", "https://s3.example.com"],
    ["http://127.0.0.1:80//", "http://127.0.0.1"],
    ["http://127.0.0.1:4566", "http://127.0.0.1:4566"],
    ["https://store.example:8443/base/", "https://store.example:8443/base"],
    ["  https://[::1]:9000/ ", "https://[::1]:9000"],
  ])("spells %s as %s", (raw, normal) => {
    expect(normalizeEndpoint(raw)).toBe(normal);
  });

  it.each([
    "https://user:pw@allowed.example",
    "https://allowed.example@attacker.example",
    "https://allowed.example/?x=1",
    "https://allowed.example/#frag",
    "https://allowed.example/?",
    "ftp://allowed.example",
    "allowed.example",
    "",
  ])("equals nothing for %j", (raw) => {
    expect(normalizeEndpoint(raw)).toBeUndefined();
  });
});

describe("trusted endpoints", () => {
  const allowlist = parseEndpointAllowlist(["https://minio.internal.example:9000/", "http://127.0.0.1:4566"]);

  it("trusts AWS's own S3 endpoints of the side's region, and only of that region", () => {
    expect(isTrustedEndpoint("https://s3.us-west-2.amazonaws.com", "us-west-2", [])).toBe(true);
    expect(isTrustedEndpoint("https://S3.cn-north-1.amazonaws.com.cn/", "cn-north-1", [])).toBe(true);
    expect(isTrustedEndpoint("https://s3.amazonaws.com", "us-east-1", [])).toBe(true);
    expect(isTrustedEndpoint("https://s3.us-west-2.amazonaws.com", "eu-west-1", [])).toBe(false);
    expect(isTrustedEndpoint("http://s3.us-west-2.amazonaws.com", "us-west-2", [])).toBe(false);
    expect(isTrustedEndpoint("https://s3.us-west-2.amazonaws.com.evil.example", "us-west-2", [])).toBe(false);
    expect(isTrustedEndpoint("https://s3.us-west-2.amazonaws.com:8443", "us-west-2", [])).toBe(false);
    expect(awsEndpoints("cn-northwest-1")).toEqual([
      "https://s3.cn-northwest-1.amazonaws.com.cn",
      "https://s3.dualstack.cn-northwest-1.amazonaws.com.cn",
    ]);
  });

  it("trusts an allowlisted endpoint however it is spelled, and nothing near it", () => {
    expect(isTrustedEndpoint("HTTPS://MINIO.internal.example:9000", "us-east-1", allowlist)).toBe(true);
    expect(isTrustedEndpoint("http://127.0.0.1:4566/", "cn-north-1", allowlist)).toBe(true);
    expect(isTrustedEndpoint("http://127.0.0.1:4567", "us-east-1", allowlist)).toBe(false);
    expect(isTrustedEndpoint("https://minio.internal.example:9000/other", "us-east-1", allowlist)).toBe(
      false,
    );
    expect(isTrustedEndpoint("http://minio.internal.example:9000", "us-east-1", allowlist)).toBe(false);
    expect(isTrustedEndpoint("https://x@minio.internal.example:9000", "us-east-1", allowlist)).toBe(false);
    expect(isTrustedEndpoint("https://minio.internal.example:9000?a", "us-east-1", allowlist)).toBe(false);
  });

  it("refuses an allowlist entry that is not a plain http(s) URL", () => {
    expect(() => parseEndpointAllowlist(["https://a.example", "https://u:p@b.example"])).toThrow(
      "endpoint allowlist entry 'https://u:p@b.example' must be an http(s) URL without user, query or fragment",
    );
  });
});

describe("the Action's endpoint check", () => {
  const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? "";
  const m = normalizeMigration({
    name: "m",
    source: { bucket: "s", region: "us-east-1", endpoint: "http://127.0.0.1:9999/" },
    destination: { bucket: "d", region: "cn-north-1", endpoint: "https://s3.cn-north-1.amazonaws.com.cn" },
  });

  it("refuses a file's endpoint that is not allowlisted, naming it and the variable", () => {
    const inputs = parseInputs(reader({ command: "plan" }));
    expect(() => checkEndpoints(m, inputs)).toThrow(
      "migration m: source.endpoint http://127.0.0.1:9999 (us-east-1) is not on the endpoint allowlist (input endpoint-allowlist, the repository's LONGBOW_ENDPOINT_ALLOWLIST variable)",
    );
  });

  it("accepts it once allowlisted, or when the workflow gives the endpoint itself", () => {
    const listed = parseInputs(reader({ command: "plan", "endpoint-allowlist": "http://127.0.0.1:9999" }));
    expect(() => checkEndpoints(m, listed)).not.toThrow();
    const given = parseInputs(reader({ command: "plan", "global-endpoint": "http://127.0.0.1:4566" }));
    expect(() => checkEndpoints(m, given)).not.toThrow();
  });

  it("rejects a malformed allowlist input, naming it", () => {
    expect(() => parseInputs(reader({ command: "plan", "endpoint-allowlist": "not a url" }))).toThrow(
      "input endpoint-allowlist: endpoint allowlist entry 'not a url' must be an http(s) URL",
    );
  });
});
