/** `GET /v1/models`, `GET /health` and `GET /metrics`. */
import type { FastifyInstance } from 'fastify';

import type { ServerContext } from '../context';

/** The name OpenAI's clients ask for by default; it means this server's model. */
export const OPENAI_MODEL_ALIAS = 'whisper-1';

export function registerInfoRoutes(app: FastifyInstance, context: ServerContext, startedAt: number): void {
  app.get('/v1/models', async () => ({
    object: 'list',
    data: [context.modelName, OPENAI_MODEL_ALIAS].map((id) => ({ id, object: 'model', created: Math.floor(startedAt / 1000), owned_by: 'whisper-napi' })),
  }));

  app.get('/health', { config: { public: true } }, async (_request, reply) => {
    const { running, waiting } = context.model.jobs;
    // A model passed in and disposed by its owner leaves a server that can only refuse.
    const status = context.closing ? 'shutting_down' : context.model.disposed ? 'model_disposed' : 'ok';
    return reply.code(status === 'ok' ? 200 : 503).send({
      status,
      model: context.modelName,
      inFlight: context.admission.size,
      running,
      waiting,
      liveSessions: context.live?.sessions.size ?? 0,
      ...(context.queue ? { queue: context.queue.queueName } : {}),
      capacity: { maxConcurrency: context.maxConcurrency, maxInFlight: context.admission.limit, maxLiveSessions: context.live?.sessions.limit ?? 0 },
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    });
  });

  app.get('/metrics', async (_request, reply) => {
    const { running, waiting } = context.model.jobs;
    return reply
      .type('text/plain; version=0.0.4; charset=utf-8')
      .send(context.metrics.render({ running, waiting, inFlight: context.admission.size, liveSessions: context.live?.sessions.size ?? 0 }, context.modelName));
  });
}
