import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { PassThrough, Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { delayedPipe } from "../../../bench/wan/delayed-pipe.js";
import { startWanProxyProcess, type WanProxyProcess } from "../../../bench/wan/proxy-process.js";
import { startWanProxy, type WanProxy, type WanProxyOptions } from "../../../bench/wan/wan-proxy.js";

const KiB = 1024;

/** A TCP server that counts what it receives and answers each connection's FIN with "ok". */
async function startSink(): Promise<{ server: Server; port: number; received: () => number }> {
  let received = 0;
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.on("end", () => socket.end("ok"));
    socket.on("error", () => undefined);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, port: (server.address() as AddressInfo).port, received: () => received };
}

/** Sends `bytes` through the proxy, half-closes, and resolves with the reply or the error. */
async function send(port: number, bytes: number): Promise<{ reply: string; error?: NodeJS.ErrnoException }> {
  const socket: Socket = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
  let reply = "";
  socket.on("data", (c: Buffer) => {
    reply += c.toString();
  });
  const done = new Promise<{ reply: string; error?: NodeJS.ErrnoException }>((resolve) => {
    socket.on("error", (error) => resolve({ reply, error }));
    socket.on("close", () => resolve({ reply }));
  });
  const chunk = Buffer.alloc(64 * KiB, 7);
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!socket.write(chunk)) await Promise.race([once(socket, "drain"), once(socket, "close")]);
    if (socket.destroyed) break;
  }
  socket.end();
  return done;
}

describe("one direction of a proxied connection", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("delivers one window per one-way delay, after the handshake: window ÷ delay", async () => {
    vi.useFakeTimers({ now: 0 });
    const delayMs = 50;
    const windowBytes = 128 * KiB;
    const from = new PassThrough();
    const delivered = new Map<number, number>();
    const to = new Writable({
      write(chunk: Buffer, _encoding, done) {
        delivered.set(Date.now(), (delivered.get(Date.now()) ?? 0) + chunk.length);
        done();
      },
    });
    delayedPipe(from, to, { delayMs, windowBytes, openAt: 100 });
    for (let i = 0; i < 32; i++) from.write(Buffer.alloc(64 * KiB, i));
    from.end();

    await vi.advanceTimersByTimeAsync(100 + delayMs - 1);
    expect(delivered.size).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect([...delivered]).toEqual([[100 + delayMs, windowBytes]]);
    await vi.runAllTimersAsync();
    // 2 MiB in sixteen windows, one per delay: nothing sent early, nothing bunched up
    expect([...delivered]).toEqual(
      Array.from({ length: 16 }, (_, i) => [100 + (i + 1) * delayMs, windowBytes]),
    );
    expect(to.writableEnded).toBe(true);
  });
});

describe("WAN proxy", () => {
  let proxy: WanProxy | undefined;
  let sink: Server | undefined;
  afterEach(async () => {
    await proxy?.close();
    sink?.close();
  });
  /** A sink, and a proxy in front of it; both closed after the test. */
  const proxyToSink = async (options: Omit<WanProxyOptions, "target">) => {
    const s = await startSink();
    sink = s.server;
    proxy = await startWanProxy({ target: `127.0.0.1:${s.port}`, oneWayDelayMs: 5, ...options });
    return { received: s.received, proxy };
  };

  it("forwards a connection both ways and counts its bytes", async () => {
    const s = await proxyToSink({ windowBytes: 128 * KiB, handshakeRoundTrips: 0 });
    const bytes = 2048 * KiB;
    const { reply, error } = await send(s.proxy.port, bytes);

    expect(error).toBeUndefined();
    expect(reply).toBe("ok");
    expect(s.received()).toBe(bytes);
    expect(s.proxy.stats()).toMatchObject({ connections: 1, resets: 0, bytesUp: bytes, bytesDown: 2 });
  });

  it("resets a connection partway through when asked to", async () => {
    const s = await proxyToSink({ resetFraction: 1, resetWithinBytes: 256 * KiB });
    const { reply, error } = await send(s.proxy.port, 1024 * KiB);

    expect(error?.code).toBe("ECONNRESET");
    expect(reply).toBe("");
    expect(s.received()).toBeLessThan(1024 * KiB);
    expect(s.proxy.stats().resets).toBe(1);
  });

  it("refuses a target that is not on loopback", async () => {
    await expect(startWanProxy({ target: "10.0.0.1:80" })).rejects.toThrow(/loopback/);
  });

  describe("in a process of its own", () => {
    let child: WanProxyProcess | undefined;
    afterEach(async () => {
      await child?.close();
      child = undefined;
    });
    const entry = new URL("../../../bench/wan/proxy-main.ts", import.meta.url).pathname;

    it("forwards through the child, reports its stats over IPC, and exits on close", async () => {
      const s = await startSink();
      sink = s.server;
      child = await startWanProxyProcess(
        entry,
        { target: `127.0.0.1:${s.port}`, oneWayDelayMs: 5, handshakeRoundTrips: 0 },
        ["--import", "tsx"],
      );
      const port = Number(new URL(child.endpoint).port);
      const { reply, error } = await send(port, 512 * KiB);

      expect(error).toBeUndefined();
      expect(reply).toBe("ok");
      expect(s.received()).toBe(512 * KiB);
      expect(await child.stats()).toEqual({ connections: 1, resets: 0, bytesUp: 512 * KiB, bytesDown: 2 });
      const pid = child.pid;
      await child.close();
      child = undefined;
      expect(() => process.kill(pid, 0)).toThrow();
    });

    it("rejects with the child's reason when the proxy cannot start", async () => {
      await expect(
        startWanProxyProcess(entry, { target: "10.0.0.1:80" }, ["--import", "tsx"]),
      ).rejects.toThrow(/exited 1 before listening: WAN proxy failed: .*loopback/);
    });
  });
});
