import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { type CopyContext, type SourceObject, send } from "./context.js";
import { SourceChangedError } from "./errors.js";
import { layoutOf, type PartLayout, uniformLayout } from "./part-plan.js";

/** Part HEADs in flight at once while a source's layout is read part by part. */
const headsInParallel = 16;

/** A multipart source's part sizes, and whether they were all asked for or inferred. */
export interface SourceLayout {
  layout: PartLayout;
  /**
   * False when only the first and last parts were asked for and the rest was inferred as
   * uniform (what every common uploader produces). The read check against the source's
   * ETag catches a wrong guess; the next attempt then asks for every part.
   */
  exact: boolean;
}

async function partSize(ctx: CopyContext, src: SourceObject, n: number): Promise<number> {
  const { bucket, key } = ctx.job.source;
  // Not pinned with If-Match: some stores compare it with the part's own ETag. Reads are
  // pinned, and a layout that does not add up to the object fails below.
  const out = await send(ctx, "source", `HeadObject(PartNumber=${n})`, (c, abortSignal) =>
    c.send(new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: n, VersionId: src.versionId }), {
      abortSignal,
    }),
  );
  return out.ContentLength ?? 0;
}

/**
 * The part sizes of a multipart source (`src.partsCount` from its ETag), from HeadObject
 * with PartNumber: the first and the last part, and, unless those fit a uniform layout (or
 * `exact` is asked for), every part in between, 16 at a time. Parts that do not add up to
 * the object mean it changed meanwhile.
 */
export async function readSourceLayout(
  ctx: CopyContext,
  src: SourceObject,
  options: { exact: boolean },
): Promise<SourceLayout> {
  const count = src.partsCount ?? 1;
  if (count <= 1) return { layout: layoutOf([src.size]), exact: true };
  const [first, last] = await Promise.all([partSize(ctx, src, 1), partSize(ctx, src, count)]);
  const sizes: number[] = [first];
  if (count === 2) sizes.push(last);
  else if (!options.exact && first >= last && last > 0 && (count - 1) * first + last === src.size) {
    return { layout: uniformLayout(src.size, first), exact: false };
  } else {
    const middle = Array.from({ length: count - 2 }, (_, i) => i + 2);
    const found = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < middle.length) {
        const n = middle[next++] as number;
        found.set(n, await partSize(ctx, src, n));
      }
    };
    await Promise.all(Array.from({ length: Math.min(headsInParallel, middle.length) }, worker));
    for (const n of middle) sizes.push(found.get(n) as number);
    sizes.push(last);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== src.size) {
    throw new SourceChangedError(
      `source s3://${ctx.job.source.bucket}/${ctx.job.source.key} changed on ${ctx.o.sourceLabel} while its parts were read (they add up to ${total} bytes, not ${src.size})`,
      { bucket: ctx.job.source.bucket, key: ctx.job.source.key },
    );
  }
  return { layout: layoutOf(sizes), exact: true };
}
