import { OutOfOrderListingError } from "./errors.js";
import { compareKeys } from "./key-order.js";
import type { ListedObject, ObjectLister } from "./types.js";

/**
 * Walks one listing page by page, holding one page at a time (O(1) memory in the number
 * of keys) and checking that keys strictly ascend across pages.
 */
export class ListingCursor {
  private page: ListedObject[] = [];
  private i = 0;
  private token: string | undefined;
  private done = false;
  private previous: string | undefined;

  constructor(
    private readonly lister: ObjectLister,
    private readonly bucket: string,
    private readonly prefix: string,
    /** With a delimiter only the objects directly under the prefix are walked. */
    private readonly delimiter: string | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** The current object, or undefined when the listing is exhausted (after {@link fill}). */
  get head(): ListedObject | undefined {
    return this.page[this.i];
  }

  /** True when {@link fill} must be awaited before reading {@link head} again. */
  get needsFill(): boolean {
    return this.i >= this.page.length && !this.done;
  }

  advance(): void {
    this.i++;
  }

  /** Loads pages until there is a current object or the listing ends. */
  async fill(): Promise<void> {
    while (this.i >= this.page.length && !this.done) {
      // drop the spent page before waiting, so it dies young instead of surviving into old space
      this.page = [];
      this.i = 0;
      const req = { bucket: this.bucket, prefix: this.prefix, token: this.token, signal: this.signal };
      const page = await this.lister.listPage(this.delimiter ? { ...req, delimiter: this.delimiter } : req);
      for (const o of page.objects) {
        if (this.previous !== undefined && compareKeys(o.key, this.previous) <= 0) {
          throw new OutOfOrderListingError(this.bucket, this.previous, o.key);
        }
        this.previous = o.key;
      }
      this.page = page.objects;
      this.i = 0;
      this.token = page.nextToken;
      if (this.token === undefined) this.done = true;
    }
  }
}
