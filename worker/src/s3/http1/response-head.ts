/** The status line and headers of one HTTP/1.x response. */
export interface ResponseHead {
  statusCode: number;
  reason: string;
  /** Lower-case names; repeated headers joined with ", " as Node's http module does. */
  headers: Record<string, string>;
  /**
   * How the body is delimited: its Content-Length, 0 for answers that never carry one
   * (1xx, 204, 304), or `undefined` when the sender frames it otherwise (chunked, or
   * until the connection closes).
   */
  bodyLength: number | undefined;
  /** False when the server will close the connection after this answer. */
  keepAlive: boolean;
}

/** The error of a response that is not well-formed HTTP/1.x. */
export class HttpProtocolError extends Error {
  readonly code = "HPE_INVALID_RESPONSE";
  constructor(message: string) {
    super(message);
    this.name = "HttpProtocolError";
  }
}

/** Largest response head accepted, as Node's own default (--max-http-header-size). */
export const maxHeadBytes = 16 * 1024;

const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;

/**
 * Parses a response head (status line and header lines, without the blank line that ends
 * it) as sent for a GET. Throws HttpProtocolError for anything malformed.
 */
export function parseResponseHead(text: string): ResponseHead {
  const lines = text.split("\r\n");
  const status = statusLine.exec(lines[0] ?? "");
  if (status === null)
    throw new HttpProtocolError(`bad status line ${JSON.stringify(lines[0]?.slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new HttpProtocolError(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers[name];
    headers[name] = seen === undefined ? value : `${seen}, ${value}`;
  }
  const statusCode = Number(status[2]);
  const http10 = status[1] === "0";
  const connection = (headers.connection ?? "").toLowerCase();
  return {
    statusCode,
    reason: status[3] ?? "",
    headers,
    bodyLength: bodyLengthOf(statusCode, headers),
    keepAlive: http10 ? connection.includes("keep-alive") : !connection.includes("close"),
  };
}

function bodyLengthOf(statusCode: number, headers: Record<string, string>): number | undefined {
  if (statusCode < 200 || statusCode === 204 || statusCode === 304) return 0;
  if (headers["transfer-encoding"] !== undefined) return undefined;
  const declared = headers["content-length"];
  if (declared === undefined) return undefined;
  // Repeated identical values ("5, 5") are allowed by RFC 9110; different ones are not.
  const values = new Set(declared.split(",").map((v) => v.trim()));
  const only = values.size === 1 ? [...values][0] : undefined;
  if (only === undefined || !/^\d{1,15}$/.test(only)) {
    throw new HttpProtocolError(`bad Content-Length ${JSON.stringify(declared.slice(0, 40))}`);
  }
  return Number(only);
}
