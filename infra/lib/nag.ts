import { type CfnElement, Stack, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/**
 * How cdk-nag writes a reference to a resource's ARN inside a finding id, e.g.
 * `<LedgerTable9343E4AA.Arn>`: acknowledgements must name findings exactly.
 */
export function nagArnRef(resource: IConstruct): string {
  const cfn = (resource.node.defaultChild ?? resource) as CfnElement;
  return `<${Stack.of(resource).resolve(cfn.logicalId) as string}.Arn>`;
}

/** Acknowledges one cdk-nag finding (`Rule[finding]` or a whole rule) on a construct and its children. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
