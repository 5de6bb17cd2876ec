import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { SqsQueue } from "../../worker/src/queue/index.js";
import { uniqueBucket } from "../emulator/clients.js";

/** A fresh SQS queue with a dead-letter queue on the emulator, shaped like the stack's. */
export async function createTestSqsQueue(
  sqs: SQSClient,
  options: { maxReceiveCount?: number; visibilitySeconds?: number; name?: string } = {},
): Promise<{ queue: SqsQueue; queueUrl: string; queueArn: string; deadLetterQueueUrl: string }> {
  const name = options.name ?? uniqueBucket("jobs");
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const arnOf = async (url: string | undefined) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] })))
      .Attributes?.QueueArn ?? "";
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilitySeconds ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await arnOf(dlq.QueueUrl),
          maxReceiveCount: options.maxReceiveCount ?? 24,
        }),
      },
    }),
  );
  const queueUrl = created.QueueUrl ?? "";
  return {
    queue: new SqsQueue({ client: sqs, queueUrl }),
    queueUrl,
    queueArn: await arnOf(queueUrl),
    deadLetterQueueUrl: dlq.QueueUrl ?? "",
  };
}
