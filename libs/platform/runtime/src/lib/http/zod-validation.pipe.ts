import { Injectable, type PipeTransform } from '@nestjs/common';
import { AppError, CommonErrorCodes, describeIssues } from '@switchboard/contracts';

import { type z } from 'zod';

/**
 * Validates a request part against a zod schema and hands the parsed (typed, defaulted) value to
 * the controller; failures become 400 `VALIDATION_FAILED` with one detail per bad field.
 *
 * @example  create(@Body(new ZodValidationPipe(CreateConversationBody)) body: CreateConversationBody)
 */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  /** Public so the OpenAPI document can describe the request part it validates. */
  constructor(readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) {
      throw new AppError(
        CommonErrorCodes.VALIDATION_FAILED,
        'invalid_argument',
        'Request is invalid',
        describeIssues(parsed.error),
      );
    }
    return parsed.data;
  }
}
