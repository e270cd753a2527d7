import { applyDecorators } from '@nestjs/common';
import { ErrorEnvelope } from '@switchboard/contracts';
import { Returns } from './returns.decorator';

/** The error statuses a domain route documents (400 for its own validation codes, 503/504 for a peer). */
export type DocumentedErrorStatus = 400 | 403 | 404 | 409 | 422 | 429 | 503 | 504;

/**
 * Documents the domain errors a route can answer: one `@Returns(status, ErrorEnvelope, …)` per
 * status, its description naming each code with what it means to a client.
 */
export type ErrorResponsesDecorator<Code extends string> = (
  byStatus: Partial<Record<DocumentedErrorStatus, readonly Code[]>>,
) => MethodDecorator;

/**
 * Builds a domain's error-docs decorator from what each of its codes means to a client. A status's
 * description reads "`CODE`: meaning; `OTHER`: meaning", in the order the route lists the codes.
 *
 * @example
 * export const ChatErrorResponses = errorResponsesFor(MEANING);
 * // on a route:
 * @ChatErrorResponses({ 403: [ChatErrorCodes.NOT_A_MEMBER], 404: [ChatErrorCodes.CONVERSATION_NOT_FOUND] })
 */
export function errorResponsesFor<Code extends string>(
  meaning: Readonly<Record<Code, string>>,
): ErrorResponsesDecorator<Code> {
  return (byStatus) =>
    applyDecorators(
      ...Object.entries<readonly Code[] | undefined>(byStatus).map(([status, codes]) =>
        Returns(
          Number(status),
          ErrorEnvelope,
          (codes ?? []).map((code) => `\`${code}\`: ${meaning[code]}`).join('; '),
        ),
      ),
    );
}
