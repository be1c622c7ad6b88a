export { apiRoutes, createApp } from './app.js';
export { DEFAULT_SETTINGS, type AppDeps, type BulkStore, type ConnectionInfo, type ServerSettings } from './deps.js';
export { HTTP_STATUS, type ErrorBody } from './errors.js';
export {
  isLoopback,
  readServerInfo,
  serverInfoPath,
  startServer,
  type RunningServer,
  type ServeOptions,
  type ServerInfo,
} from './lifecycle.js';
export { createToken, hashSecret, revokeToken, type CreatedToken } from './tokens.js';
