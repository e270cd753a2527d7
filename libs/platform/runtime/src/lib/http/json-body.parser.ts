import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppError } from '@switchboard/contracts';
import { type FastifyInstance, type RawServerDefault } from 'fastify';

/**
 * Fastify's JSON parser (with its prototype-poisoning protection), but failing with our own
 * `INVALID_JSON` error: Nest turns Fastify's parse errors into anonymous HttpExceptions, which
 * would lose the reason a client needs.
 */
export function useJsonBodyParser(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const parse = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    parse(request, body.toString('utf8'), (error: Error | null, value?: unknown) => {
      if (error) {
        done(
          new AppError(
            'INVALID_JSON',
            'invalid_argument',
            `Body is not valid JSON: ${error.message}`,
          ),
          undefined,
        );
        return;
      }
      done(null, value);
    });
  });
}
