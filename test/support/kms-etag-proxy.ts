import { createHash } from "node:crypto";
import { Agent, createServer, type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The emulator stores SSE-KMS objects but answers with MD5 ETags all the same; real S3's
 * ETag of an SSE-KMS object is no MD5 of its content. This loopback proxy plays real S3 in
 * that: every ETag of an object or upload written with SSE-KMS (asked for in the request,
 * or reported by the answer, as with a bucket whose default is SSE-KMS) is replaced by an
 * opaque one in headers and XML answers, UploadPart answers say `aws:kms` as S3's do, and
 * the opaque part ETags a CompleteMultipartUpload names are turned back into the emulator's.
 */
export interface KmsEtagProxy {
  readonly endpoint: string;
  /** Every request seen (path, query and headers), in order. */
  readonly requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
  /** ETags replaced in answers so far. */
  readonly rewritten: number;
  close(): Promise<void>;
}

/** An opaque 32-hex ETag for an emulator ETag (`-N` kept for completed uploads, as S3 keeps it). */
export function opaqueEtag(etag: string): string {
  const [hex, parts] = etag.split("-");
  const fake = createHash("md5").update(`kms:${hex}`).digest("hex");
  return parts === undefined ? fake : `${fake}-${parts}`;
}

export async function startKmsEtagProxy(target: string): Promise<KmsEtagProxy> {
  const to = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const requests: KmsEtagProxy["requests"] = [];
  /** `/bucket/key` of objects written with SSE-KMS, and upload ids created with it. */
  const kmsPaths = new Set<string>();
  const kmsUploads = new Set<string>();
  /** Opaque ETag → the emulator's, for CompleteMultipartUpload bodies. */
  const original = new Map<string, string>();
  let rewritten = 0;

  const opaque = (etag: string) => {
    const fake = opaqueEtag(etag);
    original.set(fake, etag);
    rewritten++;
    return fake;
  };
  const rewriteXml = (xml: string) =>
    xml.replace(/<ETag>(&quot;|")?([0-9a-f]{32}(?:-[0-9]{1,5})?)(&quot;|")?<\/ETag>/g, (_m, q1, etag, q2) => {
      return `<ETag>${q1 ?? ""}${opaque(etag)}${q2 ?? ""}</ETag>`;
    });

  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    requests.push({ method: req.method ?? "GET", url, headers: req.headers });
    const parsed = new URL(url, "http://proxy");
    const path = decodeURIComponent(parsed.pathname);
    const uploadId = parsed.searchParams.get("uploadId");
    const asksKms = req.headers["x-amz-server-side-encryption"] === "aws:kms";
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      const headers = { ...req.headers };
      if (req.method === "POST" && uploadId !== null && kmsUploads.has(uploadId)) {
        // same length: only 32-hex ETags are swapped
        body = Buffer.from(
          body.toString("utf8").replace(/[0-9a-f]{32}/g, (hex) => original.get(hex) ?? hex),
          "utf8",
        );
      }
      const upstream = request(
        { host: to.hostname, port: to.port, method: req.method, path: url, headers, agent },
        (up) => {
          const answerKms = up.headers["x-amz-server-side-encryption"] === "aws:kms";
          const writes = req.method === "PUT" || req.method === "POST";
          if (writes && (asksKms || answerKms) && uploadId === null) kmsPaths.add(path);
          const kms = kmsPaths.has(path) || (uploadId !== null && kmsUploads.has(uploadId));
          const out: IncomingHttpHeaders = { ...up.headers };
          if (kms && typeof out.etag === "string") {
            out.etag = `"${opaque(out.etag.replace(/"/g, ""))}"`;
          }
          if (kms && uploadId !== null && req.method === "PUT")
            out["x-amz-server-side-encryption"] = "aws:kms";
          const xml = String(up.headers["content-type"] ?? "").includes("xml");
          if (!xml) {
            res.writeHead(up.statusCode ?? 502, out);
            up.pipe(res);
            return;
          }
          const parts: Buffer[] = [];
          up.on("data", (c: Buffer) => parts.push(c));
          up.on("end", () => {
            let text = Buffer.concat(parts).toString("utf8");
            const created = /<UploadId>([^<]{1,1024})<\/UploadId>/.exec(text)?.[1];
            if (req.method === "POST" && parsed.searchParams.has("uploads") && kms && created) {
              kmsUploads.add(created);
            }
            if (kms) text = rewriteXml(text);
            const bytes = Buffer.from(text, "utf8");
            res.writeHead(up.statusCode ?? 502, { ...out, "content-length": String(bytes.length) });
            res.end(bytes);
          });
        },
      );
      upstream.on("error", () => res.socket?.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    get rewritten() {
      return rewritten;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
