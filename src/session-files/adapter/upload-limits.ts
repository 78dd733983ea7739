// The upload's limits apart from its schema: the client that builds an upload needs the numbers,
// not zod, and `steward report` loads the client's modules (zod is ~50 ms of its start).
export const UPLOAD_MAX_FILES = 1000;
