import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";

/** Props of {@link LedgerTable}. */
export interface LedgerTableProps {
  /**
   * What happens to the ledger when the stack is deleted.
   * @defaultValue RemovalPolicy.RETAIN: the ledger is the record of what was copied
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The DynamoDB ledger. Its key design belongs to the engine; the table only offers the
 * generic schema agreed with it: `pk`/`sk` strings plus one index `gsi1` (`gsi1pk`/`gsi1sk`).
 */
export class LedgerTable extends Construct {
  /** Name of the one global secondary index. */
  public static readonly indexName = "gsi1";
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: LedgerTableProps = {}) {
    super(scope, id);
    // Table, not TableV2: a plain AWS::DynamoDB::Table deploys the same way in aws and aws-cn
    this.table = new dynamodb.Table(this, "Table", {
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "sk", type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: LedgerTable.indexName,
      partitionKey: { name: "gsi1pk", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "gsi1sk", type: dynamodb.AttributeType.STRING },
    });
  }
}
