export { abortOrphanUploads, type UploadSweep } from "./orphan-uploads.js";
export { type SendOptions, SendRefusedError, type SendResult, sendMigration } from "./send.js";
