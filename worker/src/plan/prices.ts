// The one price list of the plan's cost estimate, and the per-object request figures it
// multiplies by. Every figure names where it comes from. Prices change: this file is AS OF
// `priceBook.asOf` and must be checked against the linked pages before anyone relies on it.
// README ("Cost estimate in the plan") says how to update it.

/** A currency as AWS bills it: the global partition in US dollars, AWS China in renminbi. */
export type Currency = "USD" | "CNY";

/** One price, and the public page it was read from. */
export interface Figure {
  value: number;
  source: string;
}

/** A price per GB that falls with volume: each tier up to `upToGB` (cumulative; `null`: no end). */
export interface Tiers {
  tiers: readonly { readonly upToGB: number | null; readonly perGB: number }[];
  source: string;
}

/** The prices of one region, all in its `currency`. */
export interface RegionPrices {
  currency: Currency;
  s3: {
    /** PUT, COPY, POST (UploadPart, Create/CompleteMultipartUpload), per 1,000, by the written object's storage class. */
    writePer1000: Partial<Record<string, number>> & { STANDARD: number };
    /** LIST requests (ListObjectsV2, ListObjectVersions, ListMultipartUploads), per 1,000. */
    listPer1000: number;
    /** GET, HEAD and all other requests, per 1,000. */
    readPer1000: number;
    source: string;
  };
  /** Data transfer out of the region to the internet (and so to the other partition). */
  internetOut: Tiers;
  /** Data transfer out to another region of the same partition, per GB. */
  interRegionOutPerGB?: Figure;
  /** SQS standard queue requests, per million. */
  sqsPerMillion?: Figure;
  /** DynamoDB on-demand write request units, per million. */
  dynamoWritePerMillion?: Figure;
  /** EC2 on-demand Linux price per instance-hour, by instance type. */
  ec2OnDemandPerHour?: { perHour: Partial<Record<string, number>>; source: string };
}

/** What a plan's cost estimate multiplies by: prices per region and figures per object. */
export interface PriceBook {
  /** The date the figures are as of (ISO date). */
  asOf: string;
  /** What a reader must know before trusting the figures. */
  caveat: string;
  /** Bytes in one GB as AWS bills data transfer. */
  bytesPerGB: number;
  regions: Partial<Record<string, RegionPrices>>;
  /** Spot price as a share of on-demand, low and high: a range, since Spot prices move. */
  spotShareOfOnDemand: { low: number; high: number; source: string };
  /** SQS requests per copied object (send + work), measured. */
  sqsRequestsPerObject: Figure;
  /** DynamoDB write request units per copied object, derived from measured requests. */
  dynamoWriteUnitsPerObject: Figure;
}

const s3Global = "https://aws.amazon.com/s3/pricing/";
const s3China = "https://www.amazonaws.cn/en/s3/pricing/";

/** AWS China request prices (the same in Beijing and Ningxia), per 1,000; GET is published per 10,000 (¥0.0135). */
const chinaS3 = {
  writePer1000: { STANDARD: 0.00405 },
  listPer1000: 0.00405,
  readPer1000: 0.00135,
  source: `${s3China} (Requests)`,
};

/**
 * The price list. Figures for us-east-1 are AWS's list prices as published in early 2025
 * (DynamoDB on-demand after its November 2024 reduction); the AWS China figures are the
 * published renminbi prices as the author knew them then, kept in CNY (no exchange rate is
 * applied, so a China-side cost is shown in ¥ beside the $ one). None of them were fetched
 * when this file was written (2026-12-01, without network access): check each link.
 */
export const priceBook: PriceBook = {
  asOf: "2025-01-01",
  caveat: "list prices as of 2025-01-01, not checked since: check before relying on it",
  bytesPerGB: 1024 ** 3,
  regions: {
    "us-east-1": {
      currency: "USD",
      s3: {
        writePer1000: {
          STANDARD: 0.005,
          REDUCED_REDUNDANCY: 0.005,
          INTELLIGENT_TIERING: 0.005,
          STANDARD_IA: 0.01,
          ONEZONE_IA: 0.01,
          GLACIER_IR: 0.02,
          GLACIER: 0.03,
          DEEP_ARCHIVE: 0.05,
        },
        listPer1000: 0.005,
        readPer1000: 0.0004,
        source: `${s3Global} (Requests & data retrievals)`,
      },
      internetOut: {
        // the first 100 GB a month are free across services; left out (the rest of the account uses them)
        tiers: [
          { upToGB: 10 * 1024, perGB: 0.09 },
          { upToGB: 50 * 1024, perGB: 0.085 },
          { upToGB: 150 * 1024, perGB: 0.07 },
          { upToGB: null, perGB: 0.05 },
        ],
        source: `${s3Global} (Data Transfer: out to the internet)`,
      },
      interRegionOutPerGB: { value: 0.02, source: `${s3Global} (Data Transfer: to other AWS Regions)` },
      sqsPerMillion: {
        value: 0.4,
        source: "https://aws.amazon.com/sqs/pricing/ (standard queue, after the free tier)",
      },
      dynamoWritePerMillion: {
        value: 0.625,
        source: "https://aws.amazon.com/dynamodb/pricing/on-demand/ (write request units)",
      },
      ec2OnDemandPerHour: {
        perHour: {
          "c5.large": 0.085,
          "c6i.large": 0.085,
          "c5a.large": 0.077,
          "m5.large": 0.096,
          "m6i.large": 0.096,
        },
        source: "https://aws.amazon.com/ec2/pricing/on-demand/ (Linux)",
      },
    },
    "cn-north-1": {
      currency: "CNY",
      s3: chinaS3,
      internetOut: {
        tiers: [{ upToGB: null, perGB: 0.933 }],
        source: `${s3China} (Data Transfer: out to the internet)`,
      },
    },
    "cn-northwest-1": {
      currency: "CNY",
      s3: chinaS3,
      internetOut: {
        tiers: [{ upToGB: null, perGB: 0.933 }],
        source: `${s3China} (Data Transfer: out to the internet)`,
      },
    },
  },
  spotShareOfOnDemand: {
    low: 0.3,
    high: 0.7,
    source:
      "assumed range; see https://aws.amazon.com/ec2/spot/instance-advisor/ for each type's current saving",
  },
  sqsRequestsPerObject: {
    // 0.13 to send (SendMessageBatch, ten a request) + 2.2 to work (receive, delete, heartbeats)
    value: 2.33,
    source:
      "README.md, Ledger cost: measured with npx vitest run test/integration/e2e/cluster.test.ts (200 objects)",
  },
  dynamoWriteUnitsPerObject: {
    // The README measures 1.07 write requests per object: send 0.05 (one TransactWriteItems
    // of 25 items + 1 counter, 2 WRU per transactional item ≤ 1 KB: 52 / 25 = 2.08 WRU) and
    // work 1.02 (one transaction of item + counter shard + hour tally: 3 × 2 = 6 WRU). Send now
    // writes 50 items a transaction (102 / 50 = 2.04 WRU); the measured 2.08 is kept, 0.5 % high.
    value: 8.08,
    source:
      "README.md, Ledger cost (1.07 write requests per object), in WRU per the DynamoDB developer guide",
  },
};
