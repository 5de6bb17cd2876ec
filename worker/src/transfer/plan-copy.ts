import type { CopyContext, SourceObject } from "./context.js";
import { InvalidSourceLayoutError } from "./errors.js";
import {
  impossibleLayoutReason,
  maxParts,
  ownPlan,
  type PartLayout,
  PartPlan,
  unmirrorableReason,
} from "./part-plan.js";
import type { ResumeLookup } from "./resume.js";
import { readSourceLayout, type SourceLayout } from "./source-layout.js";

/** The part plan of one multipart copy, and what it rests on. */
export interface PlannedCopy {
  plan: PartPlan;
  /** The source's own layout, when it is uploaded in parts (mirrored or not). */
  sourceLayout: PartLayout | undefined;
  /** True when the source's middle parts were inferred, not asked for (see `readSourceLayout`). */
  layoutGuessed: boolean;
}

/** The layout a resume point recorded for this very source version, if any: no need to ask again. */
async function recordedLayout(
  src: SourceObject,
  resume: Promise<ResumeLookup>,
): Promise<SourceLayout | undefined> {
  const { point } = await resume;
  if (point?.layout === undefined || point.sourceEtag !== src.etag) return undefined;
  if (point.sourceVersionId !== undefined && point.sourceVersionId !== src.versionId) return undefined;
  return { layout: point.layout, exact: point.layoutGuessed !== true };
}

/**
 * Plans a multipart copy. A source uploaded in parts is copied part for part, whatever its
 * layout (uniform or not), so the destination's ETag is the source's and the bytes read are
 * proven against it; the layout comes from the resume point when an earlier attempt
 * recorded it, else from the source (see `readSourceLayout`). A layout S3 could not hold is
 * an error naming the object. A source whose parts are below the destination's minimum (an
 * S3-compatible store) and a source not uploaded in parts get the engine's own plan.
 */
export async function planCopy(
  ctx: CopyContext,
  src: SourceObject,
  resume: Promise<ResumeLookup>,
  options: { exactLayout: boolean },
): Promise<PlannedCopy> {
  const { o, job } = ctx;
  const own = () =>
    ownPlan({ size: src.size, fixedPartSize: o.settings.partSize, minPartSize: o.minPartSize });
  const count = src.partsCount ?? 1;
  if (count <= 1) return { plan: own(), sourceLayout: undefined, layoutGuessed: false };
  const where = `source s3://${job.source.bucket}/${job.source.key} on ${o.sourceLabel}`;
  if (count > maxParts) {
    throw new InvalidSourceLayoutError(
      `${where} claims ${count} parts (S3 allows ${maxParts}); it cannot be copied`,
      {
        bucket: job.source.bucket,
        key: job.source.key,
      },
    );
  }
  const found =
    (options.exactLayout ? undefined : await recordedLayout(src, resume)) ??
    (await readSourceLayout(ctx, src, { exact: options.exactLayout }));
  const impossible = impossibleLayoutReason(found.layout);
  if (impossible !== undefined) {
    throw new InvalidSourceLayoutError(`${where} has ${impossible}; it cannot be copied part for part`, {
      bucket: job.source.bucket,
      key: job.source.key,
    });
  }
  const layoutGuessed = !found.exact;
  const unmirrorable = unmirrorableReason(found.layout, src.size, o.minPartSize);
  if (unmirrorable === undefined) {
    return { plan: new PartPlan(found.layout, true), sourceLayout: found.layout, layoutGuessed };
  }
  o.logger.info(
    { key: job.source.key, reason: unmirrorable },
    "source parts cannot be mirrored; using the engine's own part size",
  );
  return { plan: own(), sourceLayout: found.layout, layoutGuessed };
}
