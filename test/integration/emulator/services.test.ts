import { CreateTableCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { describe, expect, inject, it } from "vitest";
import { dynamoFor, sqsFor, ssmFor, uniqueBucket } from "../../emulator/clients.js";

const { global } = inject("emulator");

describe("SQS on the emulator", () => {
  const sqs = sqsFor(global);

  it("sends, receives and deletes a message", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueBucket("jobs") }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"key":"a"}' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(['{"key":"a"}']);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle }));
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    expect(again.Messages ?? []).toEqual([]);
  });

  it("moves a message received too often to the dead-letter queue", async () => {
    const name = uniqueBucket("jobs");
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
    ).Attributes?.QueueArn;
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: "0",
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
        },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "poison" }));
    let receives = 0;
    for (let i = 0; i < 5; i++) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
      receives += got.Messages?.length ?? 0;
    }
    expect(receives).toBe(2);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 1 }));
    expect(dead.Messages?.map((m) => m.Body)).toEqual(["poison"]);
  });
});

describe("DynamoDB on the emulator", () => {
  it("creates a table, puts and gets an item", async () => {
    const ddb = dynamoFor(global);
    const TableName = uniqueBucket("ledger");
    await ddb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }),
    );
    await ddb.send(new PutItemCommand({ TableName, Item: { pk: { S: "m#k" }, size: { N: "42" } } }));
    const { Item } = await ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: "m#k" } } }));
    expect(Item?.size?.N).toBe("42");
  });
});

describe("SSM Parameter Store on the emulator", () => {
  it("stores a SecureString and decrypts it on request", async () => {
    const ssm = ssmFor(global);
    const Name = `/longbow-test/${uniqueBucket("cred")}`;
    const value = JSON.stringify({
      aws_access_key_id: "AKIDX",
      aws_secret_access_key: "s",
      region: "cn-north-1",
    });
    await ssm.send(new PutParameterCommand({ Name, Value: value, Type: "SecureString" }));
    const hidden = await ssm.send(new GetParameterCommand({ Name }));
    expect(hidden.Parameter?.Value).not.toBe(value);
    const plain = await ssm.send(new GetParameterCommand({ Name, WithDecryption: true }));
    expect(plain.Parameter?.Value).toBe(value);
  });
});
