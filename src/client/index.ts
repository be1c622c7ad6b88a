export { HttpClient, parseServerUrl, type HttpClientOptions, type Query } from './http-client.js';
export { HttpTracker } from './http-tracker.js';
export { errorFromResponse } from './errors.js';
export { peerBase, pullFrom, pushTo, type RemoteSync } from './remote-sync.js';
export { HttpSyncService } from './sync-runs.js';
