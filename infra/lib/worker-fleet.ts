import { ArnFormat, Aws, Duration, Stack } from "aws-cdk-lib";
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3assets from "aws-cdk-lib/aws-s3-assets";
import { Construct } from "constructs";
import { acknowledge } from "./nag.js";
import { workerBootScript } from "./worker-user-data.js";

/** Props of {@link WorkerFleet}. */
export interface WorkerFleetProps {
  /** Directory holding the built bundle (`longbow.mjs`), shipped as a CDK asset. */
  readonly bundleDir: string;
  /** The worker's environment (`LONGBOW_*`, `AWS_REGION`); values may be tokens. */
  readonly environment: Readonly<Record<string, string>>;
  /** Spot-friendly instance types; the first is the launch template's own. @defaultValue ["c5.large"] */
  readonly instanceTypes?: readonly string[];
  /** @defaultValue 1 */
  readonly minCapacity?: number;
  /** @defaultValue 10 */
  readonly maxCapacity?: number;
  /** On-demand instances kept before Spot is used. @defaultValue 0 */
  readonly onDemandBaseCapacity?: number;
  /** Percent on-demand above the base. @defaultValue 0 */
  readonly onDemandPercentageAboveBase?: number;
  /** How long a stopping worker may drain. @defaultValue Duration.minutes(2) */
  readonly drainTimeout?: Duration;
  /** @defaultValue 16 */
  readonly rootVolumeGiB?: number;
  /** @defaultValue logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** TCP ports the workers may connect out to; nothing else leaves. @defaultValue [443] */
  readonly egressPorts?: readonly number[];
}

/**
 * The EC2 worker fleet: a two-AZ VPC with an S3 gateway endpoint, and an Auto Scaling group
 * of Spot (and optionally on-demand) Amazon Linux 2023 instances running `longbow work`
 * under systemd. A termination lifecycle hook gives each worker time to drain.
 */
export class WorkerFleet extends Construct {
  /** Name of the termination lifecycle hook the instances complete after draining. */
  public static readonly lifecycleHookName = "longbow-drain";
  public readonly vpc: ec2.Vpc;
  public readonly group: autoscaling.AutoScalingGroup;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly launchTemplate: ec2.LaunchTemplate;

  constructor(scope: Construct, id: string, props: WorkerFleetProps) {
    super(scope, id);
    const instanceTypes = props.instanceTypes ?? ["c5.large"];
    const drainTimeout = props.drainTimeout ?? Duration.minutes(2);
    const [firstType] = instanceTypes;
    if (firstType === undefined) throw new Error("instanceTypes must name at least one instance type");

    // Public subnets and no NAT gateway: a NAT gateway would bill every byte that crosses the border.
    this.vpc = new ec2.Vpc(this, "Vpc", {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      flowLogs: { Rejected: { trafficType: ec2.FlowLogTrafficType.REJECT } },
    });

    this.logGroup = new logs.LogGroup(this, "Logs", {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });

    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("ec2.amazonaws.com"),
      description: "Longbow worker instances",
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName("AmazonSSMManagedInstanceCore")],
    });
    acknowledge(
      this.role,
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
      "Session Manager is how operators reach a worker: no SSH keys, no inbound ports.",
    );

    const bundle = new s3assets.Asset(this, "Bundle", { path: props.bundleDir });
    // this one object, not the whole bootstrap bucket that grantRead() would open
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["s3:GetObject"],
        resources: [bundle.bucket.arnForObjects(bundle.s3ObjectKey)],
      }),
    );
    this.grantAgentAndHook();

    const userData = ec2.UserData.forLinux();
    const bundleZip = userData.addS3DownloadCommand({
      bucket: bundle.bucket,
      bucketKey: bundle.s3ObjectKey,
      localFile: "/tmp/longbow-worker.zip",
      region: Aws.REGION,
    });
    userData.addCommands(
      ...workerBootScript({
        bundleZip,
        environment: props.environment,
        logGroupName: this.logGroup.logGroupName,
        lifecycleHookName: WorkerFleet.lifecycleHookName,
        drainTimeoutSeconds: drainTimeout.toSeconds(),
        region: Aws.REGION,
      }),
    );

    const egress = props.egressPorts ?? [443];
    const securityGroup = new ec2.SecurityGroup(this, "SecurityGroup", {
      vpc: this.vpc,
      description: `Longbow workers: no inbound; outbound TCP ${egress.join(", ")} only`,
      allowAllOutbound: false,
    });
    for (const port of egress) {
      securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), `outbound TCP ${port}`);
    }
    this.launchTemplate = new ec2.LaunchTemplate(this, "LaunchTemplate", {
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: new ec2.InstanceType(firstType),
      userData,
      role: this.role,
      securityGroup,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: true,
      detailedMonitoring: true,
      blockDevices: [
        {
          deviceName: "/dev/xvda",
          volume: ec2.BlockDeviceVolume.ebs(props.rootVolumeGiB ?? 16, {
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            encrypted: true,
            deleteOnTermination: true,
          }),
        },
      ],
    });

    this.group = new autoscaling.AutoScalingGroup(this, "Group", {
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      minCapacity: props.minCapacity ?? 1,
      maxCapacity: props.maxCapacity ?? 10,
      capacityRebalance: true,
      groupMetrics: [autoscaling.GroupMetrics.all()],
      // a deploy with a new bundle brings up a new group; the old one's instances drain through the hook
      updatePolicy: autoscaling.UpdatePolicy.replacingUpdate(),
      mixedInstancesPolicy: {
        launchTemplate: this.launchTemplate,
        launchTemplateOverrides: instanceTypes.map((t) => ({ instanceType: new ec2.InstanceType(t) })),
        instancesDistribution: {
          onDemandBaseCapacity: props.onDemandBaseCapacity ?? 0,
          onDemandPercentageAboveBaseCapacity: props.onDemandPercentageAboveBase ?? 0,
          spotAllocationStrategy: autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
        },
      },
    });
    this.group.addLifecycleHook("Drain", {
      lifecycleHookName: WorkerFleet.lifecycleHookName,
      lifecycleTransition: autoscaling.LifecycleTransition.INSTANCE_TERMINATING,
      // room for systemd's stop timeout plus the agent flushing logs
      heartbeatTimeout: drainTimeout.plus(Duration.minutes(2)),
      defaultResult: autoscaling.DefaultResult.CONTINUE,
    });
    acknowledge(
      this.group,
      "AwsSolutions-AS3",
      "Scaling is reported once per batch by the 'batch finished' alarm; a mail per instance launch would bury it.",
    );
    acknowledge(
      this.group,
      "AwsSolutions-EC26",
      "The rule cannot read a launch template given through a MixedInstancesPolicy; the template's only volume is encrypted.",
    );
  }

  /** CloudWatch agent (logs, memory, disk) and completing this group's lifecycle hook. */
  private grantAgentAndHook(): void {
    const stack = Stack.of(this);
    this.logGroup.grantWrite(this.role);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["logs:DescribeLogStreams"],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["cloudwatch:PutMetricData"],
        resources: ["*"],
        conditions: { StringEquals: { "cloudwatch:namespace": "CWAgent" } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        // the agent resolves ${aws:AutoScalingGroupName}; DescribeTags has no resource-level permissions
        actions: ["ec2:DescribeTags"],
        resources: ["*"],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["autoscaling:CompleteLifecycleAction"],
        // the group's generated name starts with the stack name; naming it here would be a dependency cycle
        resources: [
          stack.formatArn({
            service: "autoscaling",
            resource: "autoScalingGroup",
            resourceName: `*:autoScalingGroupName/${Aws.STACK_NAME}-*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    acknowledge(
      this.role,
      "AwsSolutions-IAM5[Resource::*]",
      "PutMetricData is limited by the cloudwatch:namespace condition; ec2:DescribeTags has no resource-level permissions.",
    );
    acknowledge(
      this.role,
      "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/<AWS::StackName>-*]",
      "Only groups of this stack; naming the group exactly would create a dependency cycle with its launch template.",
    );
  }
}
