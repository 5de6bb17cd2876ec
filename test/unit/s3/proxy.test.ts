import { describe, expect, it } from "vitest";
import { parseNoProxy, proxyRoutes } from "../../../worker/src/s3/proxy.js";

const https = (host: string, port = 443) => ({ tls: true, host, port });
const http = (host: string, port = 80) => ({ tls: false, host, port });
const env = { HTTPS_PROXY: "http://proxy.corp:3128", HTTP_PROXY: "http://proxy.corp:8080" };

describe("proxyRoutes", () => {
  it("sends https origins to HTTPS_PROXY and http ones to HTTP_PROXY", () => {
    const routes = proxyRoutes(env);
    expect(routes.proxyFor(https("s3.us-east-1.amazonaws.com"))?.label).toBe("http://proxy.corp:3128");
    expect(routes.proxyFor(http("10.0.0.5", 9000))?.label).toBe("http://proxy.corp:8080");
    expect(proxyRoutes({ HTTPS_PROXY: env.HTTPS_PROXY }).proxyFor(http("10.0.0.5", 9000))).toBeUndefined();
    expect(proxyRoutes({}).proxyFor(https("s3.amazonaws.com"))).toBeUndefined();
  });

  it("takes the lower-case forms first, ignores blank values and reads host:port as an http proxy", () => {
    const routes = proxyRoutes({
      https_proxy: "proxy.lower:1",
      HTTPS_PROXY: "http://proxy.upper:2",
      http_proxy: " ",
    });
    expect(routes.proxyFor(https("example.com"))).toMatchObject({
      label: "http://proxy.lower:1",
      variable: "https_proxy",
    });
    expect(routes.http).toBeUndefined();
  });

  it("keeps a proxy's credentials for the agent and out of its label", () => {
    const proxy = proxyRoutes({ HTTPS_PROXY: "https://user:p%40ss@proxy.corp:8443" }).https;
    expect(proxy?.label).toBe("https://proxy.corp:8443");
    expect(proxy?.url.password).toBe("p%40ss");
  });

  it("refuses a value that is no http(s) proxy URL, naming the variable and never the value", () => {
    for (const [value, why] of [
      ["http://user:hunter2@", /HTTPS_PROXY is not a proxy URL/],
      ["socks5://user:hunter2@proxy:1080", /HTTPS_PROXY names a socks5:\/\/ proxy/],
      ["http://user:hunter2@[bad", /HTTPS_PROXY is not a proxy URL/],
    ] as const) {
      const err = (() => {
        try {
          proxyRoutes({ HTTPS_PROXY: value });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err?.message).toMatch(why);
      expect(err?.message).not.toContain("hunter2");
    }
  });

  it("bypasses the proxy for hosts NO_PROXY lists, lower-case no_proxy first", () => {
    const routes = proxyRoutes({ ...env, no_proxy: "internal.example", NO_PROXY: "*" });
    expect(routes.proxyFor(https("s3.internal.example"))).toBeUndefined();
    expect(routes.proxyFor(https("s3.amazonaws.com"))).toBeDefined();
  });
});

describe("NO_PROXY", () => {
  const bypasses = (noProxy: string, origin: { tls: boolean; host: string; port: number }) =>
    proxyRoutes({ ...env, NO_PROXY: noProxy }).proxyFor(origin) === undefined;

  it("matches a host and its subdomains, with or without a leading dot or *., in any case", () => {
    for (const entry of ["amazonaws.com.cn", ".amazonaws.com.cn", "*.amazonaws.com.cn", "AMAZONAWS.com.CN"]) {
      expect(bypasses(entry, https("amazonaws.com.cn"))).toBe(true);
      expect(bypasses(entry, https("bucket.s3.cn-north-1.amazonaws.com.cn"))).toBe(true);
      expect(bypasses(entry, https("S3.CN-NORTH-1.amazonaws.com.cn."))).toBe(true);
      expect(bypasses(entry, https("notamazonaws.com.cn"))).toBe(false);
      expect(bypasses(entry, https("amazonaws.com"))).toBe(false);
    }
  });

  it("matches a port only when the entry names one", () => {
    expect(bypasses("minio.corp:9000", http("minio.corp", 9000))).toBe(true);
    expect(bypasses("minio.corp:9000", http("minio.corp", 9001))).toBe(false);
    expect(bypasses("minio.corp", http("minio.corp", 9001))).toBe(true);
  });

  it("reads IPv6 addresses bare or bracketed, with a port after the bracket", () => {
    expect(bypasses("::1", http("[::1]", 9000))).toBe(true);
    expect(bypasses("[::1]", http("::1", 9000))).toBe(true);
    expect(bypasses("[::1]:9000", http("::1", 9000))).toBe(true);
    expect(bypasses("[::1]:9000", http("::1", 9001))).toBe(false);
    expect(bypasses("fe80::1", http("::1", 80))).toBe(false);
  });

  it("splits on commas and white space, and skips empty and malformed entries", () => {
    expect(parseNoProxy(" a.example ,, b.example\tc.example:80 d.example:http e:99999 *.").bypasses).toEqual([
      { host: "a.example", port: undefined },
      { host: "b.example", port: undefined },
      { host: "c.example", port: 80 },
    ]);
    expect(bypasses("*", https("anything.example"))).toBe(true);
    expect(bypasses("*.", https("anything.example"))).toBe(false);
    expect(bypasses("", https("anything.example"))).toBe(false);
  });

  it("answers a hostile value of many near-misses correctly (matched without regular expressions)", () => {
    const hostile = `${"a.".repeat(50_000)}:${":".repeat(50_000)},${".x".repeat(50_000)}`;
    expect(bypasses(hostile, https(`${"a.".repeat(1000)}example`))).toBe(false);
    expect(bypasses(`${hostile},example`, https(`${"a.".repeat(1000)}example`))).toBe(true);
  });
});
