import { BadRequestException, NotFoundException } from '@nestjs/common';
import { AppError } from '@switchboard/contracts';
import { HttpErrorFilter } from './http-error.filter';

describe('HttpErrorFilter', () => {
  const filter = new HttpErrorFilter();

  it('keeps a domain error code and maps its kind to a status', () => {
    const response = filter.toResponse(
      new AppError('CHAT.NOT_A_MEMBER', 'permission_denied', 'nope', { conversationId: 'c' }),
    );
    expect(response).toEqual({
      status: 403,
      envelope: {
        code: 'CHAT.NOT_A_MEMBER',
        message: 'nope',
        retriable: false,
        details: { conversationId: 'c' },
      },
    });
  });

  it('gives framework errors generic codes', () => {
    expect(filter.toResponse(new NotFoundException('Cannot GET /x')).envelope.code).toBe(
      'NOT_FOUND',
    );
    expect(filter.toResponse(new BadRequestException()).status).toBe(400);
  });

  it('maps fastify body errors to 4xx with a code', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      statusCode: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    expect(filter.toResponse(tooLarge)).toMatchObject({
      status: 413,
      envelope: { code: 'PAYLOAD_TOO_LARGE' },
    });
  });

  it('turns anything else into a 500 that reveals nothing but an error id', () => {
    const response = filter.toResponse(new Error('secret connection string'));
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.envelope)).not.toContain('secret');
    expect(response.envelope.details).toEqual({ errorId: expect.any(String) });
  });
});
