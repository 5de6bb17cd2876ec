import net from "node:net";
import tls from "node:tls";
import { AbortError } from "../../errors.js";
import type { ReadInto } from "../read-into.js";
import { HttpProtocolError, maxHeadBytes, parseResponseHead, type ResponseHead } from "./response-head.js";

/** Where a connection goes. */
export interface Origin {
  tls: boolean;
  host: string;
  port: number;
}

export interface ConnectionTimeouts {
  /** Give up connecting (and the TLS handshake) after this long; 0 = never. */
  connectMs: number;
  /** Fail an answer that stays silent this long; 0 = never. */
  socketMs: number;
  /** Close a connection left idle this long. */
  idleMs: number;
}

/** What one request on a connection came back with. */
export type Exchange =
  /**
   * The answer, read whole. `body` holds it unless it went into the ReadInto's target
   * (which then has `received` set), or the target declined it (then it is unread and the
   * connection closed).
   */
  | { kind: "answered"; head: ResponseHead; body: Buffer | undefined }
  /** The answer's body is not delimited by a Content-Length; the connection is closed. */
  | { kind: "unframed"; head: ResponseHead };

/** Error bodies larger than this are not read here (S3's are a few hundred bytes). */
const maxCollectedBody = 1024 * 1024;
const scratchBytes = 64 * 1024;
const crlf2 = Buffer.from("\r\n\r\n", "latin1");

interface Pending {
  into: ReadInto | undefined;
  resolve(exchange: Exchange): void;
  reject(err: Error): void;
  /** Any byte of the answer came in. */
  answered: boolean;
}

function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * One keep-alive HTTP/1.1 connection that reads with `onread` into memory it chooses: a
 * scratch buffer for status line and headers, then the body's own buffer. One request at a
 * time, no pipelining: the pool hands it out, `exchange` sends and reads, the pool takes it
 * back when `reusable`.
 */
export class Connection {
  private readonly socket: net.Socket;
  private readonly scratch = Buffer.allocUnsafe(scratchBytes);
  private pending: Pending | undefined;
  private headBytes: Buffer | undefined;
  private head: ResponseHead | undefined;
  private body: Buffer | undefined;
  private bodyFilled = 0;
  private bodyIntoTarget = false;
  private closedWith: Error | undefined;
  /** Requests this connection has answered in full. */
  answered = 0;
  /** Called once when the socket closes, whatever the reason. */
  onClose: (() => void) | undefined;

  private constructor(
    readonly origin: Origin,
    private readonly timeouts: ConnectionTimeouts,
  ) {
    const onread: net.OnReadOpts = {
      buffer: () => this.readBuffer(),
      callback: (n: number, buf: Uint8Array) => {
        this.onRead(n, buf);
        return true;
      },
    };
    const servername = net.isIP(origin.host) === 0 ? origin.host : undefined;
    this.socket = origin.tls
      ? tls.connect({
          host: origin.host,
          port: origin.port,
          ...(servername === undefined ? {} : { servername }),
          ALPNProtocols: ["http/1.1"],
          // Node supports onread on TLS sockets it dials itself (since 15.1); @types/node lacks it.
          onread,
        } as tls.ConnectionOptions)
      : net.connect({ host: origin.host, port: origin.port, onread });
    this.socket.setNoDelay(true);
    this.socket.on("error", (err) => this.fail(err));
    this.socket.on("close", () => {
      this.fail(networkError("ECONNRESET", "the connection closed before the answer was complete"));
      this.onClose?.();
    });
    this.socket.on("timeout", () => {
      if (this.pending === undefined) this.socket.destroy();
      else {
        const err = Object.assign(networkError("ETIMEDOUT", `no answer for ${this.timeouts.socketMs} ms`), {
          name: "TimeoutError",
        });
        this.fail(err);
      }
    });
  }

  /** Opens a connection; rejects when it fails, times out or `signal` fires first. */
  static open(origin: Origin, timeouts: ConnectionTimeouts, signal?: AbortSignal): Promise<Connection> {
    const conn = new Connection(origin, timeouts);
    const socket = conn.socket;
    return new Promise((resolve, reject) => {
      const event = origin.tls ? "secureConnect" : "connect";
      const done = (err: Error | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        socket.off(event, onConnect);
        socket.off("error", onError);
        if (err === undefined) resolve(conn);
        else {
          socket.destroy();
          reject(err);
        }
      };
      const onConnect = () => done(undefined);
      const onError = (err: Error) => done(err);
      const onAbort = () => done(new AbortError("aborted while connecting", signal?.reason));
      const timer =
        timeouts.connectMs > 0
          ? setTimeout(
              () =>
                done(
                  Object.assign(networkError("ETIMEDOUT", `connecting took over ${timeouts.connectMs} ms`), {
                    name: "TimeoutError",
                  }),
                ),
              timeouts.connectMs,
            )
          : undefined;
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      socket.once(event, onConnect);
      socket.once("error", onError);
    });
  }

  /** Whether the pool may hand this connection out again. */
  get reusable(): boolean {
    return this.closedWith === undefined && this.pending === undefined && !this.socket.destroyed;
  }

  /** Parks the connection: it does not keep the process alive and closes when left idle. */
  park(): void {
    this.socket.setTimeout(this.timeouts.idleMs);
    this.socket.unref();
  }

  close(): void {
    this.socket.destroy();
  }

  /**
   * Sends `requestHead` (request line and headers, ending with the blank line) and reads
   * the answer. A 2xx body goes into `into`'s target when one is given; any other body of
   * known length is read into a buffer of its own.
   */
  exchange(requestHead: string, into: ReadInto | undefined, signal?: AbortSignal): Promise<Exchange> {
    if (this.pending !== undefined) throw new Error("Connection.exchange: a request is already in flight");
    if (!this.reusable) {
      return Promise.reject(this.closedWith ?? networkError("ECONNRESET", "the connection is closed"));
    }
    return new Promise<Exchange>((resolve, reject) => {
      const onAbort = () => {
        this.socket.destroy();
        this.fail(new AbortError("aborted", signal?.reason));
      };
      const settle = () => signal?.removeEventListener("abort", onAbort);
      this.pending = {
        into,
        answered: false,
        resolve: (x) => {
          settle();
          resolve(x);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.socket.ref();
      this.socket.setTimeout(this.timeouts.socketMs);
      this.socket.write(requestHead, "latin1");
    });
  }

  /**
   * Whether the last request failed before any byte of its answer came in: the server may
   * have closed a parked connection just as it was reused, so it is safe to send again.
   */
  failedBeforeAnswer = false;

  private readBuffer(): Uint8Array {
    return this.body === undefined ? this.scratch : this.body.subarray(this.bodyFilled);
  }

  private onRead(n: number, buf: Uint8Array): void {
    const pending = this.pending;
    if (pending === undefined) {
      this.socket.destroy();
      return;
    }
    pending.answered = true;
    if (this.body !== undefined) {
      this.bodyFilled += n;
      if (this.bodyFilled === this.body.length) this.complete();
      return;
    }
    try {
      this.onHeadBytes(Buffer.from(buf.buffer, buf.byteOffset, n));
    } catch (err) {
      this.socket.destroy();
      this.fail(err as Error);
    }
  }

  private onHeadBytes(chunk: Buffer): void {
    // The scratch buffer is reused by the next read: keep what is not parsed yet.
    let bytes = this.headBytes === undefined ? chunk : Buffer.concat([this.headBytes, chunk]);
    this.headBytes = undefined;
    for (;;) {
      const end = bytes.indexOf(crlf2);
      if (end < 0) {
        if (bytes.length > maxHeadBytes)
          throw new HttpProtocolError(`response head over ${maxHeadBytes} bytes`);
        this.headBytes = Buffer.from(bytes);
        return;
      }
      const head = parseResponseHead(bytes.toString("latin1", 0, end));
      bytes = bytes.subarray(end + 4);
      // An interim answer (100 Continue, 103 Early Hints) is followed by the real one.
      if (head.statusCode >= 100 && head.statusCode < 200) continue;
      this.onHead(head, bytes);
      return;
    }
  }

  private onHead(head: ResponseHead, rest: Buffer): void {
    const pending = this.pending as Pending;
    const length = head.bodyLength;
    this.head = head;
    const toTarget = head.statusCode >= 200 && head.statusCode < 300 && pending.into !== undefined;
    if (length === undefined || (!toTarget && length > maxCollectedBody)) {
      this.socket.destroy();
      this.finish({ kind: "unframed", head });
      return;
    }
    let body: Buffer | undefined;
    if (toTarget) {
      body = pending.into?.target(length);
      if (body === undefined) {
        this.socket.destroy();
        this.finish({ kind: "answered", head, body: undefined });
        return;
      }
      if (body.length !== length) {
        throw new RangeError(`ReadInto.target(${length}) returned ${body.length} bytes`);
      }
      this.bodyIntoTarget = true;
    } else {
      body = Buffer.allocUnsafe(length);
    }
    if (rest.length > length) throw new HttpProtocolError("more bytes than the answer's Content-Length");
    rest.copy(body, 0);
    this.body = body;
    this.bodyFilled = rest.length;
    if (this.bodyFilled === length) this.complete();
  }

  private complete(): void {
    const head = this.head as ResponseHead;
    const body = this.body as Buffer;
    const intoTarget = this.bodyIntoTarget;
    const into = (this.pending as Pending).into;
    if (intoTarget && into !== undefined) into.received = body.length;
    this.answered++;
    if (!head.keepAlive) this.socket.destroy();
    this.finish({ kind: "answered", head, body: intoTarget ? undefined : body });
  }

  /** Ends the request in flight with `exchange`, leaving the connection idle. */
  private finish(exchange: Exchange): void {
    const pending = this.pending as Pending;
    this.reset();
    pending.resolve(exchange);
  }

  /** Ends the request in flight (if any) with `err`; the connection is not reused. */
  private fail(err: Error): void {
    this.closedWith ??= err;
    const pending = this.pending;
    if (pending === undefined) return;
    this.failedBeforeAnswer = !pending.answered;
    this.socket.destroy();
    this.reset();
    pending.reject(err);
  }

  private reset(): void {
    this.pending = undefined;
    this.headBytes = undefined;
    this.head = undefined;
    this.body = undefined;
    this.bodyFilled = 0;
    this.bodyIntoTarget = false;
  }
}
