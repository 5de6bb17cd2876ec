export { type SendOptions, SendRefusedError, type SendResult, sendMigration } from "./send.js";
