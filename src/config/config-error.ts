// The configuration's one error class, apart from the schema so that a command that only needs to
// tell a configuration error from another (the exit code) does not load zod.
export class ConfigError extends Error {}
