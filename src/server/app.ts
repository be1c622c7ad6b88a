import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { PmError, RateLimitedError } from '../domain/index.js';
import { authenticate } from './auth.js';
import type { AppDeps, RequestAuth } from './deps.js';
import { MAX_PARAM_LENGTH, sendClientError, sendError } from './errors.js';
import { openApiDocument } from './openapi.js';
import { registerRoutes, takesStream, type AnyRoute } from './route.js';
import { commentRoutes } from './routes/comments.js';
import { dependencyRoutes } from './routes/dependencies.js';
import { closeChangeStreams, eventRoutes } from './routes/events.js';
import { healthRoute, openApiRoute } from './routes/meta.js';
import { projectRoutes } from './routes/projects.js';
import { sprintRoutes } from './routes/sprints.js';
import { laneRoutes } from './routes/swim-lanes.js';
import { syncRoutes } from './routes/sync.js';
import { syncDashboardRoutes } from './routes/sync-dashboard.js';
import { auditRoutes } from './routes/audit.js';
import { syncRunRoutes } from './routes/sync-runs.js';
import { timeEntryRoutes } from './routes/time-entries.js';
import { viewRoutes } from './routes/views.js';
import { workItemRoutes } from './routes/work-items.js';
import { requestGuard } from './request-guards.js';
import { securityHeaders } from './security-headers.js';
import { findWebRoot, registerWeb } from './web.js';

/** Every endpoint of /api/v1, in the order the OpenAPI document lists them. */
export function apiRoutes(): AnyRoute[] {
  const routes: AnyRoute[] = [
    healthRoute,
    ...projectRoutes,
    ...sprintRoutes,
    ...laneRoutes,
    ...workItemRoutes,
    ...commentRoutes,
    ...dependencyRoutes,
    ...timeEntryRoutes,
    ...viewRoutes,
    ...syncRoutes,
    ...syncRunRoutes,
    ...syncDashboardRoutes,
    ...auditRoutes,
    ...eventRoutes,
  ];
  routes.push(openApiRoute(() => openApiDocument(routes)));
  return routes;
}

/**
 * The HTTP API over a store, ready to listen (or to `inject` requests). It owns no resources:
 * whoever made the store closes it after `app.close()`.
 */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const { jsonLimit } = deps.settings;
  const headers = await securityHeaders();
  const app = Fastify({
    logger: deps.logger ?? false,
    // Lifecycle and errors only: a line per request costs a fifth of the throughput.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: jsonLimit,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // On close: idle keep-alive connections go at once, requests in flight finish.
    forceCloseConnections: 'idle',
    // Answered by the hook below, in pm's shape.
    return503OnClosing: false,
    // Malformed URLs and overlong refs, refused before routing: in pm's shape, with its headers.
    frameworkErrors: (error, request, reply) => {
      sendError(error, request, reply.headers(headers), jsonLimit);
    },
    clientErrorHandler: sendClientError,
  });
  const explain = deps.explainFailure ?? ((error: unknown) => error);
  app.setErrorHandler((error, request, reply) => sendError(explain(error), request, reply, jsonLimit));
  app.setNotFoundHandler((request, reply) =>
    sendError(new PmError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`), request, reply, jsonLimit),
  );
  // JSON only: a text/plain body is answered 415 like any other type.
  app.removeContentTypeParser('text/plain');
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(`too many sync requests: at most ${context.max} a minute; retry in ${context.after}`, context.ttl),
  });
  // One budget for every /sync/* route together (a route's own limit would count it apart).
  const syncBudget = app.rateLimit({ max: deps.settings.syncRequestsPerMinute, timeWindow: 60_000 });
  // Requests in flight at close finish; their connections are closed as soon as they are idle
  // (Node closes only the connections idle at that moment), so a client's keep-alive connection
  // never holds the server open. Polling costs nothing per request, unlike a hook.
  let sweeper: NodeJS.Timeout | undefined;
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    sweeper = setInterval(() => app.server.closeIdleConnections(), 20);
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearInterval(sweeper);
    done();
  });
  // Change streams never end on their own: they end first, so the server can close.
  app.addHook('preClose', (done) => {
    closeChangeStreams(deps);
    done();
  });
  // Declared up front so every request object has the same shape; set before any handler runs.
  app.decorateRequest('pm', null as unknown as RequestAuth);
  const guard = requestGuard(deps.settings);
  // One hook, synchronous unless a token has to be looked up: this runs on every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    let auth: RequestAuth | Promise<RequestAuth>;
    try {
      if (closing) throw new PmError('shutting_down', 'the server is stopping: try again when it is back');
      guard(request);
      auth = authenticate(request, deps);
    } catch (error) {
      return done(error as Error);
    }
    if (!(auth instanceof Promise)) {
      request.pm = auth;
      return done();
    }
    auth.then((settled) => {
      request.pm = settled;
      done();
    }, done);
  });

  registerWeb(app, deps.webRoot === false ? undefined : (deps.webRoot ?? findWebRoot()));
  const routes = apiRoutes();
  registerRoutes(
    app,
    routes.filter((r) => !takesStream(r)),
    deps,
    syncBudget,
  );
  // Snapshot uploads keep the body as a stream: no parser buffers hundreds of megabytes.
  await app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', (_request, payload, parsed) => parsed(null, payload));
    registerRoutes(scope, routes.filter(takesStream), deps, syncBudget);
    done();
  });
  return app;
}
