/**
 * The dedupe table's shape, shared by the stack that creates it and the adapter that writes it.
 * One item per event key: `pk` (string), `status` (`IN_PROGRESS` | `COMPLETED`), `leaseExpiresAt` (epoch seconds,
 * while in progress) and `expiresAt` (epoch seconds, the table's TTL attribute).
 */
export const LEDGER_PARTITION_KEY = 'pk';
export const LEDGER_TTL_ATTRIBUTE = 'expiresAt';
