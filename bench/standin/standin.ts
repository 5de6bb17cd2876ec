/**
 * A STAND-IN for SQS and DynamoDB, for benchmarks of the client only: NOT an SQS, NOT a
 * DynamoDB, and never used by tests of the product or by the product itself (moto stays the
 * reference for correctness). It speaks the AWS JSON 1.0 protocol the SDK v3 clients use
 * (`X-Amz-Target: AmazonSQS.<Op>` / `DynamoDB_20120810.<Op>`) for the calls `longbow send`
 * makes, and the common ones `longbow work` makes, answers each request after a fixed
 * latency, and holds what it needs in memory:
 *
 * - DynamoDB: items by key (Put, PutItem and the Put items of TransactWriteItems store
 *   them; GetItem and BatchGetItem read them), so a re-send finds what a send wrote.
 *   **No condition expression is evaluated and no update expression is applied**: Update,
 *   ConditionCheck and Delete items, UpdateItem and DeleteItem are acknowledged and change
 *   nothing; Query answers no items. A transaction is never cancelled, nothing is throttled.
 * - SQS: messages by queue, visible in send order; ReceiveMessage hides them for the
 *   visibility timeout, DeleteMessage(Batch) removes them, ChangeMessageVisibility(Batch)
 *   moves their deadline. A receive that finds nothing waits min(WaitTimeSeconds, 1 s).
 *   No dead-letter moves, no message attributes kept.
 *
 * Unknown operations are answered with an error and listed by {@link Standin.unknown}, so a
 * bench sees when the client asks for something the stand-in does not do.
 *
 * Why it exists: on the bench's two cores moto is itself the limit for send (one process,
 * DynamoDB requests serialized, 9 TransactWriteItems/s on stock moto), so a send against it
 * measures moto. This answers cheaply, so what is measured is the client.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandinOptions {
  /** Held before each answer: the round trip of a far region. @defaultValue 0 */
  delayMs?: number;
  /** @defaultValue 0 (any free port) */
  port?: number;
  /** Account id in queue URLs and ARNs. @defaultValue 000000000000 */
  account?: string;
  region?: string;
}

export interface OperationStats {
  requests: number;
  maxInFlight: number;
}

export interface Standin {
  /** `http://127.0.0.1:<port>`: both the SQS and the DynamoDB endpoint. */
  readonly endpoint: string;
  /** Requests by operation (`DynamoDB_20120810.BatchGetItem`), since the start or the last reset. */
  operations(): Record<string, OperationStats>;
  maxInFlight(): number;
  /** Operations asked for that the stand-in does not implement (answered with an error). */
  unknown(): string[];
  reset(): void;
  close(): Promise<void>;
}

type Attr = Record<string, unknown>;
type Item = Record<string, Attr>;

interface Table {
  keyNames: string[];
  items: Map<string, Item>;
  arn: string;
  created: number;
}

interface Message {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  receives: number;
  visibleAt: number;
  receipt: string;
}

interface Queue {
  name: string;
  url: string;
  arn: string;
  attributes: Record<string, string>;
  /** Waiting to be received, in send order; a hidden message is taken out and put back when it shows again. */
  visible: Message[];
  /** Head of `visible` already taken (an index, so taking from the front costs nothing). */
  head: number;
  /** Received and not deleted, by receipt handle. */
  hidden: Map<string, Message>;
}

class Fault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

export async function startStandin(options: StandinOptions = {}): Promise<Standin> {
  const delayMs = options.delayMs ?? 0;
  const account = options.account ?? "000000000000";
  const region = options.region ?? "us-east-1";
  const tables = new Map<string, Table>();
  const queues = new Map<string, Queue>();
  let stats: Record<string, OperationStats & { inFlight: number }> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  const unknown = new Set<string>();
  let endpoint = "";

  const table = (name: unknown): Table => {
    const t = typeof name === "string" ? tables.get(name) : undefined;
    if (!t) {
      throw new Fault(
        "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
        "Requested resource not found",
      );
    }
    return t;
  };
  const keyOf = (t: Table, item: Item): string =>
    // the key attributes' typed values, in the schema's order: one string per item
    t.keyNames.map((n) => JSON.stringify(item[n] ?? null)).join("\u0000");
  const queue = (url: unknown): Queue => {
    const name = typeof url === "string" ? url.slice(url.lastIndexOf("/") + 1) : "";
    const q = queues.get(name);
    if (!q) throw new Fault("com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist.");
    return q;
  };
  const showExpired = (q: Queue, now: number) => {
    for (const [receipt, m] of q.hidden) {
      if (m.visibleAt <= now) {
        q.hidden.delete(receipt);
        q.visible.push(m);
      }
    }
  };
  const visibility = (q: Queue, asked: unknown) =>
    typeof asked === "number" ? asked : Number(q.attributes.VisibilityTimeout ?? 30);

  const dynamo: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateTable: (input) => {
      const name = String(input.TableName);
      const keySchema = (input.KeySchema ?? []) as { AttributeName: string; KeyType: string }[];
      const hash = keySchema.filter((k) => k.KeyType === "HASH").map((k) => k.AttributeName);
      const range = keySchema.filter((k) => k.KeyType === "RANGE").map((k) => k.AttributeName);
      const t: Table = {
        keyNames: [...hash, ...range],
        items: new Map(),
        arn: `arn:aws:dynamodb:${region}:${account}:table/${name}`,
        created: Date.now() / 1000,
      };
      tables.set(name, t);
      return { TableDescription: describe(name, t) };
    },
    DescribeTable: (input) => ({ Table: describe(String(input.TableName), table(input.TableName)) }),
    GetItem: (input) => {
      const t = table(input.TableName);
      const item = t.items.get(keyOf(t, input.Key as Item));
      return item ? { Item: item } : {};
    },
    PutItem: (input) => {
      const t = table(input.TableName);
      const item = input.Item as Item;
      t.items.set(keyOf(t, item), item);
      return {};
    },
    UpdateItem: () => ({}),
    DeleteItem: () => ({}),
    Query: () => ({ Items: [], Count: 0, ScannedCount: 0 }),
    BatchGetItem: (input) => {
      const responses: Record<string, Item[]> = {};
      for (const [name, ask] of Object.entries(input.RequestItems as Record<string, { Keys: Item[] }>)) {
        const t = table(name);
        const found: Item[] = [];
        for (const key of ask.Keys) {
          const item = t.items.get(keyOf(t, key));
          if (item) found.push(item);
        }
        responses[name] = found;
      }
      return { Responses: responses, UnprocessedKeys: {} };
    },
    TransactWriteItems: (input) => {
      for (const entry of input.TransactItems as Record<string, { TableName: string; Item?: Item }>[]) {
        const put = entry.Put;
        if (put?.Item) {
          const t = table(put.TableName);
          t.items.set(keyOf(t, put.Item), put.Item);
        }
        // Update, ConditionCheck, Delete: acknowledged, not applied (see the module's comment)
      }
      return {};
    },
  };
  const describe = (name: string, t: Table) => ({
    TableName: name,
    TableArn: t.arn,
    TableStatus: "ACTIVE",
    CreationDateTime: t.created,
    ItemCount: t.items.size,
    KeySchema: t.keyNames.map((AttributeName, i) => ({ AttributeName, KeyType: i === 0 ? "HASH" : "RANGE" })),
    BillingModeSummary: { BillingMode: "PAY_PER_REQUEST" },
  });

  const sqs: Record<string, (input: Record<string, unknown>) => unknown | Promise<unknown>> = {
    CreateQueue: (input) => {
      const name = String(input.QueueName);
      const existing = queues.get(name);
      if (existing) return { QueueUrl: existing.url };
      const q: Queue = {
        name,
        url: `${endpoint}/${account}/${name}`,
        arn: `arn:aws:sqs:${region}:${account}:${name}`,
        attributes: { VisibilityTimeout: "30", ...((input.Attributes ?? {}) as Record<string, string>) },
        visible: [],
        head: 0,
        hidden: new Map(),
      };
      queues.set(name, q);
      return { QueueUrl: q.url };
    },
    GetQueueUrl: (input) => ({ QueueUrl: queue(`/${String(input.QueueName)}`).url }),
    GetQueueAttributes: (input) => {
      const q = queue(input.QueueUrl);
      showExpired(q, Date.now());
      const all: Record<string, string> = {
        ...q.attributes,
        QueueArn: q.arn,
        ApproximateNumberOfMessages: String(q.visible.length - q.head),
        ApproximateNumberOfMessagesNotVisible: String(q.hidden.size),
        ApproximateNumberOfMessagesDelayed: "0",
      };
      const names = (input.AttributeNames ?? []) as string[];
      const wanted = names.includes("All") ? Object.keys(all) : names;
      return { Attributes: Object.fromEntries(wanted.filter((n) => n in all).map((n) => [n, all[n]])) };
    },
    PurgeQueue: (input) => {
      const q = queue(input.QueueUrl);
      q.visible = [];
      q.head = 0;
      q.hidden.clear();
      return {};
    },
    SendMessage: (input) => {
      const m = enqueue(queue(input.QueueUrl), String(input.MessageBody));
      return { MessageId: m.id, MD5OfMessageBody: m.md5 };
    },
    SendMessageBatch: (input) => {
      const q = queue(input.QueueUrl);
      const entries = input.Entries as { Id: string; MessageBody: string }[];
      return {
        Successful: entries.map((e) => {
          const m = enqueue(q, e.MessageBody);
          return { Id: e.Id, MessageId: m.id, MD5OfMessageBody: m.md5 };
        }),
        Failed: [],
      };
    },
    ReceiveMessage: async (input) => {
      const q = queue(input.QueueUrl);
      const max = Math.min(10, Math.max(1, Number(input.MaxNumberOfMessages ?? 1)));
      const waitMs = Math.min(1000, Number(input.WaitTimeSeconds ?? 0) * 1000);
      const until = Date.now() + waitMs;
      for (;;) {
        const now = Date.now();
        showExpired(q, now);
        if (q.head < q.visible.length || now >= until) break;
        await new Promise((r) => setTimeout(r, Math.min(50, until - now)));
      }
      const now = Date.now();
      const hideFor = visibility(q, input.VisibilityTimeout) * 1000;
      const out = [];
      while (out.length < max && q.head < q.visible.length) {
        const m = q.visible[q.head++] as Message;
        m.receives++;
        m.visibleAt = now + hideFor;
        m.receipt = `${m.id}#${m.receives}`;
        q.hidden.set(m.receipt, m);
        out.push({
          MessageId: m.id,
          ReceiptHandle: m.receipt,
          Body: m.body,
          MD5OfBody: m.md5,
          Attributes: { ApproximateReceiveCount: String(m.receives), SentTimestamp: String(m.sentAt) },
        });
      }
      // drop the taken front now and then, so the array does not hold every message ever sent
      if (q.head > 4096 && q.head * 2 > q.visible.length) {
        q.visible = q.visible.slice(q.head);
        q.head = 0;
      }
      return { Messages: out };
    },
    DeleteMessage: (input) => {
      queue(input.QueueUrl).hidden.delete(String(input.ReceiptHandle));
      return {};
    },
    DeleteMessageBatch: (input) => {
      const q = queue(input.QueueUrl);
      const entries = input.Entries as { Id: string; ReceiptHandle: string }[];
      for (const e of entries) q.hidden.delete(e.ReceiptHandle);
      return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
    },
    ChangeMessageVisibility: (input) => {
      changeVisibility(queue(input.QueueUrl), String(input.ReceiptHandle), Number(input.VisibilityTimeout));
      return {};
    },
    ChangeMessageVisibilityBatch: (input) => {
      const q = queue(input.QueueUrl);
      const entries = input.Entries as { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[];
      for (const e of entries) changeVisibility(q, e.ReceiptHandle, Number(e.VisibilityTimeout));
      return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
    },
  };
  let sequence = 0;
  const enqueue = (q: Queue, body: string): Message => {
    const m: Message = {
      id: `${randomUUID().slice(0, 8)}-${(++sequence).toString(36)}`,
      body,
      md5: md5(body),
      sentAt: Date.now(),
      receives: 0,
      visibleAt: 0,
      receipt: "",
    };
    q.visible.push(m);
    return m;
  };
  const changeVisibility = (q: Queue, receipt: string, seconds: number) => {
    const m = q.hidden.get(receipt);
    if (!m) return;
    m.visibleAt = Date.now() + seconds * 1000;
    if (seconds === 0) {
      q.hidden.delete(receipt);
      q.visible.push(m);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const target = String(req.headers["x-amz-target"] ?? "");
    const dot = target.indexOf(".");
    const service = target.slice(0, dot);
    const op = target.slice(dot + 1);
    stats[target] ??= { requests: 0, maxInFlight: 0, inFlight: 0 };
    const s = stats[target];
    s.requests++;
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let status = 200;
    let out: unknown;
    try {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const ops = service === "AmazonSQS" ? sqs : service === "DynamoDB_20120810" ? dynamo : undefined;
      const fn = ops?.[op];
      if (!fn) {
        unknown.add(target || `${req.method} ${req.url}`);
        throw new Fault("UnknownOperationException", `the stand-in does not implement '${target}'`);
      }
      out = await fn(body ? (JSON.parse(body) as Record<string, unknown>) : {});
    } catch (err) {
      const f = err instanceof Fault ? err : new Fault("InternalFailure", String(err), 500);
      status = f.status;
      out = { __type: f.type, message: f.message };
    } finally {
      s.inFlight--;
      inFlight--;
    }
    const text = JSON.stringify(out);
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.0",
      "content-length": Buffer.byteLength(text),
      "x-amzn-requestid": "standin",
    });
    res.end(text);
  };

  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void handle(req, res, Buffer.concat(chunks).toString("utf8"));
    });
  });
  // small answers written at once; no Nagle delay on kept-alive connections
  server.on("connection", (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    operations: () =>
      Object.fromEntries(
        Object.entries(stats).map(([k, v]) => [k, { requests: v.requests, maxInFlight: v.maxInFlight }]),
      ),
    maxInFlight: () => maxInFlight,
    unknown: () => [...unknown],
    reset: () => {
      stats = {};
      maxInFlight = inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
