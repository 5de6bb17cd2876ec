import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { EmulatorSide } from "./emulator.js";

/** Client settings every test client against the emulator shares. */
export function clientConfig(side: EmulatorSide, endpoint: string = side.endpoint) {
  return {
    endpoint,
    region: side.region,
    credentials: { accessKeyId: side.accessKeyId, secretAccessKey: side.secretAccessKey },
    maxAttempts: 3,
  };
}

export function s3For(side: EmulatorSide, endpoint?: string): S3Client {
  return new S3Client({
    ...clientConfig(side, endpoint),
    forcePathStyle: true,
    // The emulator serves the whole object's Content-MD5 on ranged GETs; see design notes.
    responseChecksumValidation: "WHEN_REQUIRED",
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
}

export const sqsFor = (side: EmulatorSide) => new SQSClient(clientConfig(side));
export const dynamoFor = (side: EmulatorSide) => new DynamoDBClient(clientConfig(side));
export const ssmFor = (side: EmulatorSide) => new SSMClient(clientConfig(side));

/** A bucket name unique to one test, valid for S3. */
export function uniqueBucket(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
}
