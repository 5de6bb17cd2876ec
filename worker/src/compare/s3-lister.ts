import { ListObjectsV2Command, ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";
import type { ListedObject, ListPage, ListRequest, ObjectLister } from "./types.js";

const unquote = (etag: string | undefined) => etag?.replace(/^"|"$/g, "");

/** Lists with `ListObjectsV2`, 1,000 keys a page. */
export function s3ObjectLister(client: S3Client): ObjectLister {
  return {
    async listPage(req: ListRequest): Promise<ListPage> {
      const out = await client.send(
        new ListObjectsV2Command({
          Bucket: req.bucket,
          Prefix: req.prefix === "" ? undefined : req.prefix,
          Delimiter: req.delimiter,
          ContinuationToken: req.token,
        }),
        { abortSignal: req.signal },
      );
      const objects: ListedObject[] = (out.Contents ?? []).map((o) => {
        const item: ListedObject = { key: o.Key ?? "", size: o.Size ?? 0 };
        const etag = unquote(o.ETag);
        if (etag !== undefined) item.etag = etag;
        return item;
      });
      const page: ListPage = {
        objects,
        commonPrefixes: (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : [])),
      };
      if (out.IsTruncated && out.NextContinuationToken) page.nextToken = out.NextContinuationToken;
      return page;
    },
  };
}

/**
 * Lists the latest version of every object with `ListObjectVersions`; keys whose latest
 * version is a delete marker are left out, as they are gone from a plain listing too.
 */
export function s3LatestVersionLister(client: S3Client): ObjectLister {
  return {
    async listPage(req: ListRequest): Promise<ListPage> {
      const marker = req.token ? (JSON.parse(req.token) as { k: string; v?: string }) : undefined;
      const out = await client.send(
        new ListObjectVersionsCommand({
          Bucket: req.bucket,
          Prefix: req.prefix === "" ? undefined : req.prefix,
          Delimiter: req.delimiter,
          KeyMarker: marker?.k,
          VersionIdMarker: marker?.v,
        }),
        { abortSignal: req.signal },
      );
      const objects: ListedObject[] = [];
      for (const v of out.Versions ?? []) {
        if (!v.IsLatest || v.Key === undefined) continue;
        const item: ListedObject = { key: v.Key, size: v.Size ?? 0 };
        const etag = unquote(v.ETag);
        if (etag !== undefined) item.etag = etag;
        if (v.VersionId !== undefined && v.VersionId !== "null") item.versionId = v.VersionId;
        objects.push(item);
      }
      const page: ListPage = {
        objects,
        commonPrefixes: (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : [])),
      };
      if (out.IsTruncated && out.NextKeyMarker !== undefined) {
        page.nextToken = JSON.stringify({ k: out.NextKeyMarker, v: out.NextVersionIdMarker });
      }
      return page;
    },
  };
}
