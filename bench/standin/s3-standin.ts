/**
 * A STAND-IN for the two S3 calls `longbow work` makes for a small listed object (GET, then
 * PUT with Content-MD5), for benchmarks of the client only: NOT an S3, never used by tests
 * of the product or by the product itself (moto stays the reference for correctness).
 *
 * - GET and HEAD of `/<bucket>/<key>` (path style) answer what was PUT there, or else the
 *   bytes `seed(bucket, key)` gives (the bench's data set, never stored), with its MD5 as the
 *   ETag; neither gives 404 (NoSuchKey).
 * - PUT stores the body and answers its MD5 as the ETag; a Content-MD5 that does not match
 *   the body is refused (BadDigest), as S3 refuses it, so a client bug cannot look like speed.
 * - Anything else (a listing, multipart, a query string) is answered 501 and listed by
 *   {@link S3Standin.unknown}, so a bench sees when the client asks for more.
 * - No signature is checked; every answer waits the fixed latency first.
 *
 * Why it exists: with moto on the bench's two cores, `work`'s CPU per object moves with
 * moto's speed (a slower run spends more on idle polls and timers); this answers at once, so
 * the client's own cost per object is what is measured.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface S3StandinOptions {
  /** The bytes of an object never PUT here; `undefined` for none (404). */
  seed: (bucket: string, key: string) => Buffer | undefined;
  /** Held before each answer. @defaultValue 0 */
  delayMs?: number;
}

export interface S3Standin {
  /** `http://127.0.0.1:<port>`, path style. */
  readonly endpoint: string;
  /** Requests by method since the start. */
  requests(): Record<string, number>;
  /** Objects PUT, by `<bucket>/<key>`. */
  stored(): ReadonlyMap<string, Buffer>;
  /** Requests the stand-in does not serve (answered 501). */
  unknown(): string[];
  close(): Promise<void>;
}

const lastModified = new Date(Date.UTC(2026, 0, 1)).toUTCString();

const md5 = (b: Buffer) => createHash("md5").update(b).digest();

function xmlError(res: ServerResponse, status: number, code: string, message: string): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function startS3Standin(options: S3StandinOptions): Promise<S3Standin> {
  const delayMs = options.delayMs ?? 0;
  const objects = new Map<string, Buffer>();
  const counts: Record<string, number> = {};
  const unknown = new Set<string>();

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const method = req.method ?? "";
    counts[method] = (counts[method] ?? 0) + 1;
    const url = req.url ?? "/";
    const [path = "/", query] = url.split("?", 2);
    const slash = path.indexOf("/", 1);
    if (query !== undefined && query !== "" && !/^x-id=(GetObject|PutObject)$/.test(query)) {
      unknown.add(`${method} ?${query}`);
      xmlError(res, 501, "NotImplemented", "the stand-in serves plain GET, HEAD and PUT only");
      return;
    }
    if (slash < 0) {
      unknown.add(`${method} ${path}`);
      xmlError(res, 501, "NotImplemented", "bucket requests are not served by the stand-in");
      return;
    }
    const bucket = decodeURIComponent(path.slice(1, slash));
    const key = decodeURIComponent(path.slice(slash + 1));
    const name = `${bucket}/${key}`;
    if (method === "PUT") {
      const digest = md5(body);
      const asked = req.headers["content-md5"];
      if (typeof asked === "string" && asked !== digest.toString("base64")) {
        xmlError(res, 400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
        return;
      }
      objects.set(name, body);
      res.writeHead(200, { etag: `"${digest.toString("hex")}"`, "content-length": 0 });
      res.end();
      return;
    }
    if (method === "GET" || method === "HEAD") {
      const data = objects.get(name) ?? options.seed(bucket, key);
      if (data === undefined) {
        xmlError(res, 404, "NoSuchKey", "The specified key does not exist.");
        return;
      }
      res.writeHead(200, {
        etag: `"${md5(data).toString("hex")}"`,
        "content-length": data.length,
        "content-type": "application/octet-stream",
        "last-modified": lastModified,
        "accept-ranges": "bytes",
      });
      res.end(method === "GET" ? data : undefined);
      return;
    }
    unknown.add(method);
    xmlError(res, 501, "NotImplemented", `the stand-in does not serve ${method}`);
  };

  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (delayMs > 0) setTimeout(() => handle(req, res, body), delayMs);
      else handle(req, res, body);
    });
  });
  server.on("connection", (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => ({ ...counts }),
    stored: () => objects,
    unknown: () => [...unknown],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
