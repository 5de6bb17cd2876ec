import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../worker/src/log/index.js";
import { type SpotNotice, watchSpotInterruption } from "../../../worker/src/runner/index.js";

const servers: { close: () => void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A stand-in for the instance metadata service that answers 404 until `notice` is set. */
async function fakeImds() {
  const state: { notice?: SpotNotice; tokenRequests: number; unauthorized: number; checks: number } = {
    tokenRequests: 0,
    unauthorized: 0,
    checks: 0,
  };
  const server = createServer((req, res) => {
    if (req.method === "PUT" && req.url === "/latest/api/token") {
      state.tokenRequests++;
      res.end(req.headers["x-aws-ec2-metadata-token-ttl-seconds"] ? "tok" : "");
      return;
    }
    if (req.url === "/latest/meta-data/spot/instance-action") {
      state.checks++;
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

interface Wait {
  ms: number;
  signal: AbortSignal;
  resume: () => void;
}

/**
 * The watcher's sleep, stepped by the test: each call is the watcher done with one check and
 * waiting for the next, which starts only when the test resumes it.
 */
function steppedSleep() {
  const waits: Wait[] = [];
  let arrived: () => void = () => {};
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      waits.push({ ms, signal, resume: resolve });
      arrived();
    });
  return {
    sleep,
    /** The watcher's next wait, once it asks for one. */
    async next(): Promise<Wait> {
      while (waits.length === 0) await new Promise<void>((r) => (arrived = r));
      return waits.shift() as Wait;
    },
    get pending() {
      return waits.length;
    },
  };
}

/** A logger whose lines the test reads. */
function recordingLogger() {
  const lines: { level: string; msg: string }[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), lines };
}

const turn = () => new Promise((r) => setImmediate(r));

describe("Spot interruption watcher (IMDSv2)", () => {
  it("checks every interval, reports the first notice once, using a session token", async () => {
    const { state, baseUrl } = await fakeImds();
    const clock = steppedSleep();
    const seen: SpotNotice[] = [];
    const got = new Promise<void>((resolve) => {
      const w = watchSpotInterruption({
        baseUrl,
        intervalMs: 5000,
        sleep: clock.sleep,
        onNotice: (n) => {
          seen.push(n);
          resolve();
        },
      });
      servers.push({ close: () => w.stop() });
    });
    // three checks answered 404: each followed by a wait of one interval, and no notice
    for (let i = 1; i <= 3; i++) {
      const wait = await clock.next();
      expect(wait.ms).toBe(5000);
      expect(state.checks).toBe(i);
      expect(seen).toEqual([]);
      if (i < 3) wait.resume();
      else {
        state.notice = { action: "terminate", time: "2026-11-26T02:00:00Z" };
        wait.resume();
      }
    }
    await got;
    await turn();
    expect(seen).toEqual([{ action: "terminate", time: "2026-11-26T02:00:00Z" }]);
    // once reported, no further wait and no further check (every 404 above was followed by one)
    expect(clock.pending).toBe(0);
    expect(state.checks).toBe(4);
    expect(state.tokenRequests).toBe(1);
    expect(state.unauthorized).toBe(0);
  });

  it("keeps polling quietly while the metadata service is unreachable", async () => {
    const clock = steppedSleep();
    const { logger, lines } = recordingLogger();
    let notices = 0;
    const w = watchSpotInterruption({
      baseUrl: "http://127.0.0.1:9",
      intervalMs: 10,
      requestTimeoutMs: 100,
      sleep: clock.sleep,
      logger,
      onNotice: () => notices++,
    });
    // three failed checks, each followed by the next interval: it keeps polling
    for (let i = 1; i <= 3; i++) {
      const wait = await clock.next();
      expect(wait.ms).toBe(10);
      expect(lines.filter((l) => l.msg === "spot interruption check failed")).toHaveLength(i);
      if (i < 3) wait.resume();
    }
    w.stop();
    await turn();
    expect(notices).toBe(0);
    // quietly: debug lines only
    expect(lines.map((l) => l.level)).toEqual(["debug", "debug", "debug"]);
  });

  it("cuts its wait for the next check on stop()", async () => {
    const { state, baseUrl } = await fakeImds();
    const clock = steppedSleep();
    const w = watchSpotInterruption({ baseUrl, sleep: clock.sleep, onNotice: () => {} });
    const wait = await clock.next();
    expect(state.checks).toBe(1);
    expect(wait.signal.aborted).toBe(false);
    w.stop();
    expect(wait.signal.aborted).toBe(true);
  });
});
