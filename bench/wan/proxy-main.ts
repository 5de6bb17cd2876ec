import { startWanProxy, type WanProxyOptions } from "./wan-proxy.js";

/**
 * The WAN proxy as a process of its own (started by `startWanProxyProcess`): options as
 * JSON in argv[2]; it reports `{ ready, port }` and answers `stats` over the IPC channel, and
 * exits when the channel closes. Its own small heap keeps the garbage collector's work per
 * socket chunk small; inside the benchmark's process, whose heap holds the SDK and the data
 * set, the collections triggered by a gigabyte of chunks cost more CPU than moving the bytes.
 */
async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as WanProxyOptions;
  const proxy = await startWanProxy(options);
  process.on("message", (m: { type?: string }) => {
    if (m.type === "stats") process.send?.({ type: "stats", stats: proxy.stats() });
  });
  process.on("disconnect", () => {
    void proxy.close().then(() => process.exit(0));
  });
  process.send?.({ type: "ready", port: proxy.port });
}

main().catch((err: unknown) => {
  process.stderr.write(`WAN proxy failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
