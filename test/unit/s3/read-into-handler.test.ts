import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { HttpRequest } from "@smithy/core/protocols";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterEach, describe, expect, it, vi } from "vitest";
import { budgetedAgents } from "../../../worker/src/s3/agents.js";
import { ConnectionPool } from "../../../worker/src/s3/http1/connection-pool.js";
import { type ReadInto, readIntoOptions } from "../../../worker/src/s3/index.js";
import { ReadIntoHandler } from "../../../worker/src/s3/read-into-handler.js";
import { SocketBudget } from "../../../worker/src/s3/socket-budget.js";
import { bufferSink } from "../../support/read-into.js";
import { selfSignedCert } from "../../support/tls.js";

/** What the scripted server does with one request on one connection. */
type Reply = (socket: net.Socket, request: string) => void | Promise<void>;

interface Scripted {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Request lines seen, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A raw TCP server answering each request with `reply`, so framing is fully controlled. */
async function scriptedServer(reply: Reply, wrap?: (s: net.Server) => net.Server): Promise<Scripted> {
  const sockets = new Set<net.Socket>();
  const state: Scripted = {
    port: 0,
    connections: 0,
    requests: [],
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  const onSocket = (socket: net.Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffered = "";
    socket.on("data", async (d) => {
      buffered += d.toString("latin1");
      for (let end = buffered.indexOf("\r\n\r\n"); end >= 0; end = buffered.indexOf("\r\n\r\n")) {
        const request = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        state.requests.push(request.split("\r\n")[0] as string);
        await reply(socket, request);
      }
    });
  };
  const server = wrap === undefined ? net.createServer(onSocket) : wrap(net.createServer());
  if (wrap !== undefined) server.on("secureConnection", onSocket);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  state.port = (server.address() as net.AddressInfo).port;
  return state;
}

function ok(body: Buffer, extra = ""): Buffer {
  return Buffer.concat([
    Buffer.from(
      `HTTP/1.1 206 Partial Content\r\nContent-Length: ${body.length}\r\nETag: "abc"\r\n${extra}\r\n`,
      "latin1",
    ),
    body,
  ]);
}

const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));

function request(port: number, path = "/bucket/key", protocol = "http:"): HttpRequest {
  return new HttpRequest({
    method: "GET",
    protocol,
    hostname: "127.0.0.1",
    port,
    path,
    query: { versionId: "v 1" },
    headers: { host: `127.0.0.1:${port}`, range: "bytes=0-9" },
  });
}

function handler(maxSockets = 4, socketMs = 5_000, budget = new SocketBudget(maxSockets)): ReadIntoHandler {
  return new ReadIntoHandler({
    direct: new NodeHttpHandler({ socketTimeout: socketMs, ...budgetedAgents(budget) }),
    budget,
    pool: new ConnectionPool(budget, { connectMs: 5_000, socketMs, idleMs: 15_000 }),
  });
}

async function bodyText(body: unknown): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString("latin1");
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const signal = () => new AbortController().signal;

/** A scripted server and a handler for it; `get` sends a GET for `path` that reads into `into`. */
async function setup(reply: Reply, h = handler()) {
  const server = await scriptedServer(reply);
  cleanup.push(
    () => server.close(),
    () => h.destroy(),
  );
  const get = (into: ReadInto = bufferSink(), path?: string) =>
    h.handle(request(server.port, path), readIntoOptions(signal(), into));
  return { server, h, get };
}

describe("ReadIntoHandler", () => {
  it("reads a 2xx body into the target and keeps the connection for the next GET", async () => {
    const { server, get } = await setup((socket) => void socket.write(ok(data)));
    for (let i = 0; i < 3; i++) {
      const into = bufferSink();
      const { response } = await get(into);
      expect(response.statusCode).toBe(206);
      expect(response.headers.etag).toBe('"abc"');
      expect(into.asked).toEqual([data.length]);
      expect(into.received).toBe(data.length);
      expect(into.buffer?.equals(data)).toBe(true);
      expect(await bodyText(response.body)).toBe("");
    }
    expect(server.connections).toBe(1);
    expect(server.requests[0]).toBe("GET /bucket/key?versionId=v%201 HTTP/1.1");
  });

  it("reads a head and a body that arrive in small pieces, and a zero-byte body", async () => {
    const { server, get } = await setup(async (socket, req) => {
      const reply = req.includes("/empty") ? ok(Buffer.alloc(0)) : ok(data);
      // each piece handed to the socket before the next is written
      for (let at = 0; at < reply.length; at += 7919)
        await new Promise((written) => socket.write(reply.subarray(at, at + 7919), written));
    });
    const into = bufferSink();
    await get(into);
    expect(into.buffer?.equals(data)).toBe(true);
    const empty = bufferSink();
    await get(empty, "/bucket/empty");
    expect(empty.received).toBe(0);
    expect(server.connections).toBe(1);
  });

  it("gives an error answer's body to the SDK, without touching the target", async () => {
    const xml = "<Error><Code>PreconditionFailed</Code></Error>";
    const { get } = await setup(
      (socket) =>
        void socket.write(
          `HTTP/1.1 412 Precondition Failed\r\nContent-Type: application/xml\r\nContent-Length: ${xml.length}\r\n\r\n${xml}`,
        ),
    );
    const into = bufferSink();
    const { response } = await get(into);
    expect(response.statusCode).toBe(412);
    expect(await bodyText(response.body)).toBe(xml);
    expect(into.asked).toEqual([]);
    expect(into.received).toBeUndefined();
  });

  it("hands a chunked answer to the fallback handler, which resends the GET", async () => {
    const { server, get } = await setup(
      (socket) =>
        void socket.write(
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        ),
    );
    const into = bufferSink();
    const { response } = await get(into);
    expect(response.statusCode).toBe(200);
    expect(await bodyText(response.body)).toBe("hello world");
    expect(into.received).toBeUndefined();
    expect(server.requests).toHaveLength(2);
  });

  it("leaves the body unread and closes the connection when the target declines it", async () => {
    const { server, get } = await setup((socket) => void socket.write(ok(data)));
    const declined: ReadInto = { target: () => undefined };
    const { response } = await get(declined);
    expect(response.statusCode).toBe(206);
    expect(declined.received).toBeUndefined();
    const into = bufferSink();
    await get(into);
    expect(into.buffer?.equals(data)).toBe(true);
    expect(server.connections).toBe(2);
  });

  it("fails with ECONNRESET when the connection closes mid-body", async () => {
    const { get } = await setup((socket) => {
      socket.end(ok(data).subarray(0, 100_000));
    });
    await expect(get()).rejects.toMatchObject({
      code: "ECONNRESET",
    });
  });

  it("sends a GET again on a fresh connection when a reused one closes before answering", async () => {
    const served = new WeakMap<net.Socket, number>();
    const { server, get } = await setup((socket) => {
      const n = (served.get(socket) ?? 0) + 1;
      served.set(socket, n);
      // The server's idle timer fired as the second request arrived (S3 closes idle
      // connections after about 20 s): the connection closes with no answer.
      if (n === 2) socket.destroy();
      else socket.write(ok(data));
    });
    await get();
    const into = bufferSink();
    await get(into);
    expect(into.buffer?.equals(data)).toBe(true);
    expect(server.connections).toBe(2);
    expect(server.requests).toHaveLength(3);
  });

  it("does not send a GET again when a fresh connection closes before answering", async () => {
    const { server, get } = await setup((socket) => void socket.destroy());
    await expect(get()).rejects.toMatchObject({
      code: "ECONNRESET",
    });
    expect(server.requests).toHaveLength(1);
  });

  it("does not send a GET again when a reused connection breaks mid-answer", async () => {
    const served = new WeakMap<net.Socket, number>();
    const { server, get } = await setup((socket) => {
      const n = (served.get(socket) ?? 0) + 1;
      served.set(socket, n);
      if (n === 2) socket.end(ok(data).subarray(0, 100_000));
      else socket.write(ok(data));
    });
    await get();
    await expect(get()).rejects.toMatchObject({
      code: "ECONNRESET",
    });
    expect(server.requests).toHaveLength(2);
  });

  it("closes the connection after an answer that says Connection: close", async () => {
    const { server, get } = await setup((socket) => void socket.end(ok(data, "Connection: close\r\n")));
    for (let i = 0; i < 2; i++) await get();
    expect(server.connections).toBe(2);
  });

  it("stops reading and rejects with AbortError when the signal fires mid-body", async () => {
    const { server, h } = await setup((socket) => void socket.write(ok(data).subarray(0, 50_000)));
    const ac = new AbortController();
    const into = bufferSink();
    const pending = h.handle(request(server.port), readIntoOptions(ac.signal, into));
    // the head is read and the target handed out: the body is being read into it
    await into.firstAsk;
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(into.asked).toEqual([data.length]);
    expect(into.received).toBeUndefined();
  });

  it("fails a silent answer with a TimeoutError, which the SDK retries", async () => {
    const { get } = await setup(() => {}, handler(4, 200));
    await expect(get()).rejects.toMatchObject({
      name: "TimeoutError",
      code: "ETIMEDOUT",
    });
  });

  it("opens no more than maxSockets connections; the rest wait their turn", async () => {
    const budget = new SocketBudget(2);
    // The first two GETs are held unanswered, so the other four find every slot taken.
    const held: net.Socket[] = [];
    let twoHeld = () => {};
    const bothHeld = new Promise<void>((r) => {
      twoHeld = r;
    });
    const { server, get } = await setup(
      (socket) => {
        if (held.length === 2) return void socket.write(ok(data));
        held.push(socket);
        if (held.length === 2) twoHeld();
      },
      handler(2, 5_000, budget),
    );
    const sinks = Array.from({ length: 6 }, () => bufferSink());
    const all = Promise.all(sinks.map((s) => get(s)));
    await bothHeld;
    // the four others want a connection and wait for a slot rather than open a third
    expect(budget.inUse).toBe(2);
    expect(budget.contended).toBe(true);
    for (const socket of held) socket.write(ok(data));
    await all;
    expect(sinks.every((s) => s.buffer?.equals(data))).toBe(true);
    expect(server.connections).toBe(2);
    expect(server.requests).toHaveLength(6);
  });

  it("rejects a malformed answer with HPE_INVALID_RESPONSE", async () => {
    const { get } = await setup((socket) => void socket.write("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"));
    await expect(get()).rejects.toMatchObject({
      code: "HPE_INVALID_RESPONSE",
    });
  });

  it("sends requests without ReadInto through the fallback handler", async () => {
    const { server, h } = await setup((socket, req) => {
      // Node's http client announces keep-alive; the raw path does not need to.
      const fromNode = /connection: keep-alive/i.test(req);
      socket.write(ok(Buffer.from(fromNode ? "node" : "raw")));
    });
    const { response } = await h.handle(request(server.port), { abortSignal: signal() });
    expect(await bodyText(response.body)).toBe("node");
  });

  it("reads into the target over TLS", async () => {
    const dir = mkdtempSync(join(tmpdir(), "longbow-tls-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const { key, cert } = selfSignedCert(dir);
    const server = await scriptedServer(
      (socket) => void socket.write(ok(data)),
      () => tls.createServer({ key, cert }),
    );
    const h = handler();
    cleanup.push(
      () => server.close(),
      () => h.destroy(),
    );
    // The certificate is self-signed: trust it on the handler's connections only.
    const connect = tls.connect;
    const spy = vi
      .spyOn(tls, "connect")
      .mockImplementation(((options: tls.ConnectionOptions) =>
        connect({ ...options, ca: cert })) as typeof tls.connect);
    cleanup.push(() => spy.mockRestore());
    const into = bufferSink();
    const { response } = await h.handle(
      request(server.port, "/bucket/key", "https:"),
      readIntoOptions(signal(), into),
    );
    expect(response.statusCode).toBe(206);
    expect(into.buffer?.equals(data)).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
