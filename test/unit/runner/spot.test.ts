import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type SpotNotice, watchSpotInterruption } from "../../../worker/src/runner/index.js";

const servers: { close: () => void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A stand-in for the instance metadata service that answers 404 until `notice` is set. */
async function fakeImds() {
  const state: { notice?: SpotNotice; tokenRequests: number; unauthorized: number } = {
    tokenRequests: 0,
    unauthorized: 0,
  };
  const server = createServer((req, res) => {
    if (req.method === "PUT" && req.url === "/latest/api/token") {
      state.tokenRequests++;
      res.end(req.headers["x-aws-ec2-metadata-token-ttl-seconds"] ? "tok" : "");
      return;
    }
    if (req.url === "/latest/meta-data/spot/instance-action") {
      if (req.headers["x-aws-ec2-metadata-token"] !== "tok") {
        state.unauthorized++;
        res.writeHead(401).end();
      } else if (state.notice) res.end(JSON.stringify(state.notice));
      else res.writeHead(404).end();
      return;
    }
    res.writeHead(400).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { state, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("Spot interruption watcher (IMDSv2)", () => {
  it("reports the first notice once, using a session token", async () => {
    const { state, baseUrl } = await fakeImds();
    const seen: SpotNotice[] = [];
    const got = new Promise<void>((resolve) => {
      const w = watchSpotInterruption({
        baseUrl,
        intervalMs: 10,
        onNotice: (n) => {
          seen.push(n);
          resolve();
        },
      });
      servers.push({ close: () => w.stop() });
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    state.notice = { action: "terminate", time: "2026-11-26T02:00:00Z" };
    await got;
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([{ action: "terminate", time: "2026-11-26T02:00:00Z" }]);
    expect(state.tokenRequests).toBe(1);
    expect(state.unauthorized).toBe(0);
  });

  it("keeps polling quietly while the metadata service is unreachable", async () => {
    let notices = 0;
    const w = watchSpotInterruption({
      baseUrl: "http://127.0.0.1:9",
      intervalMs: 10,
      requestTimeoutMs: 100,
      onNotice: () => notices++,
    });
    await new Promise((r) => setTimeout(r, 100));
    w.stop();
    expect(notices).toBe(0);
  });
});
