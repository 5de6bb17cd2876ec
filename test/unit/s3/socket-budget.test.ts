import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterEach, describe, expect, it } from "vitest";
import { budgetedAgents } from "../../../worker/src/s3/agents.js";
import { ConnectionPool } from "../../../worker/src/s3/http1/connection-pool.js";
import { createS3Client, type ReadInto, readIntoOptions } from "../../../worker/src/s3/index.js";
import { ReadIntoHandler } from "../../../worker/src/s3/read-into-handler.js";
import { SocketBudget } from "../../../worker/src/s3/socket-budget.js";
import { type ConnectionRelay, startConnectionRelay } from "../../support/connection-relay.js";

describe("SocketBudget", () => {
  it("hands out at most its limit; a slot given back goes to the first waiting claim", async () => {
    const budget = new SocketBudget(2);
    const a = budget.tryTake();
    const b = budget.tryTake();
    expect(a && b && budget.tryTake()).toBeUndefined();
    const order: string[] = [];
    const noted = (name: string) => (release: () => void) => {
      order.push(name);
      return release;
    };
    const first = budget.take().then(noted("first"));
    const second = budget.take().then(noted("second"));
    expect(budget.contended).toBe(true);
    a?.();
    a?.(); // a second call gives nothing back twice
    const r1 = await first;
    expect(order).toEqual(["first"]);
    expect(budget.inUse).toBe(2);
    r1();
    await second;
    expect(order).toEqual(["first", "second"]);
    expect(budget.contended).toBe(false);
  });

  it("asks the pools to close one idle connection per claim", () => {
    const budget = new SocketBudget(1);
    budget.tryTake();
    const closed: string[] = [];
    budget.onContention(() => false);
    const closer = (name: string) => () => closed.push(name) > 0;
    budget.onContention(closer("idle"));
    budget.onContention(closer("never asked"));
    void budget.take();
    void budget.take();
    expect(closed).toEqual(["idle", "idle"]);
  });

  it("passes a slot on when a claim declines it or its signal fired", async () => {
    const budget = new SocketBudget(1);
    const release = budget.tryTake();
    budget.claim({ grant: () => false, fail: () => {} });
    const ac = new AbortController();
    const aborted = budget.take(ac.signal);
    const waiting = budget.take();
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ name: "AbortError" });
    release?.();
    await expect(waiting).resolves.toBeTypeOf("function");
  });

  it("fails waiting claims when closed", async () => {
    const budget = new SocketBudget(1);
    budget.tryTake();
    const waiting = budget.take();
    budget.close();
    await expect(waiting).rejects.toThrow(/destroyed/);
    expect(() => budget.tryTake()).toThrow(/destroyed/);
  });
});

/** A keep-alive S3 stand-in: GETs answer `body`, PUTs are read and acknowledged. */
async function fakeS3(body: Buffer): Promise<{ server: Server; url: URL }> {
  const server = createServer({ keepAlive: true }, (req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "GET") {
        res.writeHead(200, { "content-length": body.length, etag: '"abc"' });
        res.end(body);
      } else {
        res.writeHead(200, { "content-length": 0, etag: '"abc"' });
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`) };
}

const body = Buffer.alloc(64 * 1024, 7);
const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };

function sink(): ReadInto & { buffer?: Buffer } {
  const s: ReadInto & { buffer?: Buffer } = {
    target: (length) => {
      s.buffer = Buffer.alloc(length);
      return s.buffer;
    },
  };
  return s;
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(held: boolean) {
  const { server, url } = await fakeS3(body);
  const relay = await startConnectionRelay(url, { held });
  cleanup.push(
    () => new Promise<void>((r) => server.close(() => r())),
    () => relay.close(),
  );
  return relay;
}

async function clientOf(relay: ConnectionRelay, maxSockets: number): Promise<S3Client> {
  const s3 = await createS3Client(
    { region: "us-east-1", endpoint: relay.endpoint, credentials: "default" },
    { credentials, maxSockets, maxAttempts: 1 },
  );
  cleanup.push(() => s3.destroy());
  return s3;
}

/** `n` read-path GETs and `n` SDK PUTs at once; resolves with the GETs' sinks. */
async function getsAndPuts(s3: S3Client, n: number): Promise<Array<ReadInto & { buffer?: Buffer }>> {
  const sinks = Array.from({ length: n }, () => sink());
  await Promise.all([
    ...sinks.map((into, i) =>
      s3.send(
        new GetObjectCommand({ Bucket: "b", Key: `k${i}` }),
        readIntoOptions(new AbortController().signal, into),
      ),
    ),
    ...sinks.map((_, i) => s3.send(new PutObjectCommand({ Bucket: "b", Key: `p${i}`, Body: body }))),
  ]);
  return sinks;
}

describe("one S3 client's connections, read path and SDK together", () => {
  it("never exceed maxSockets under concurrent GETs and PUTs", async () => {
    const relay = await setup(true);
    const s3 = await clientOf(relay, 4);
    const done = getsAndPuts(s3, 12);
    // Answers are held until the client has opened all it may, so none is reused early.
    await relay.openAtOnce(4);
    relay.release();
    const sinks = await done;
    expect(sinks.every((s) => s.received === body.length && s.buffer?.equals(body))).toBe(true);
    expect(relay.peak).toBe(4);
  });

  it("would reach twice maxSockets with the two pools apart (the old design), as the relay sees", async () => {
    const relay = await setup(true);
    const apart = new SocketBudget(4);
    const budget = new SocketBudget(4);
    const s3 = new S3Client({
      region: "us-east-1",
      endpoint: relay.endpoint,
      forcePathStyle: true,
      credentials,
      requestHandler: new ReadIntoHandler({
        direct: new NodeHttpHandler(budgetedAgents(apart)),
        budget,
        pool: new ConnectionPool(budget, { connectMs: 5_000, socketMs: 5_000, idleMs: 15_000 }),
      }),
    });
    cleanup.push(() => s3.destroy());
    const done = getsAndPuts(s3, 12);
    await relay.openAtOnce(8);
    relay.release();
    await done;
    expect(relay.peak).toBe(8);
  });

  it("closes parked connections of one pool when the other needs their slots", async () => {
    const relay = await setup(false);
    const s3 = await clientOf(relay, 4);
    const gets = (n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          s3.send(
            new GetObjectCommand({ Bucket: "b", Key: `k${i}` }),
            readIntoOptions(new AbortController().signal, sink()),
          ),
        ),
      );
    // Each phase holds its answers until all its requests hold a connection, so none is
    // served by a connection another finished with.
    const phase = async (requests: () => Promise<unknown>, accepted: number) => {
      relay.hold();
      const done = requests();
      await relay.acceptedAtLeast(accepted);
      relay.release();
      await done;
      expect(relay.accepted).toBe(accepted);
    };
    await phase(() => gets(4), 4);
    // Four read-path connections are parked (they would idle 15 s); the PUTs take their slots.
    await phase(
      () =>
        Promise.all(
          Array.from({ length: 4 }, (_, i) =>
            s3.send(new PutObjectCommand({ Bucket: "b", Key: `p${i}`, Body: body })),
          ),
        ),
      8,
    );
    // And the other way round: the SDK's parked connections make room for GETs.
    await phase(() => gets(4), 12);
    expect(relay.peak).toBe(4);
  });
});
