// The shared-state store of a team of daemons (README-level overview in types.ts).
export * from './types';
export { newToken, hashToken } from './tokens';
export { openStore, redact, STORE_FILE } from './open';
export { SqliteStore } from './sqlite';
export { PostgresStore } from './postgres';
export { LedgerSpool, SPOOL_FILE } from './spool';
export { SQLITE_MIGRATIONS, PG_MIGRATIONS } from './migrations';
