import { Body, Controller, HttpCode, Inject, NotFoundException, Post } from '@nestjs/common';
import { UserId } from '@switchboard/contracts';
import { Public, signDevToken } from '@switchboard/platform-auth';
import {
  Returns,
  SERVICE_CONFIG,
  type ServiceConfig,
  ZodValidationPipe,
} from '@switchboard/platform-runtime';
import { z } from 'zod';

const DevTokenBody = z.object({ userId: UserId }).strict();
type DevTokenBody = z.infer<typeof DevTokenBody>;

const DevToken = z.object({ token: z.string(), expiresIn: z.literal('12h') });

/**
 * `POST /api/dev/token {userId}` → a token for anyone: the demo client's sign-in. Exists only
 * outside production (404 there), where tokens come from an identity provider.
 */
@Public()
@Controller('api/dev/token')
export class DevTokenController {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  @Post()
  @HttpCode(201)
  @Returns(201, DevToken, 'A development token for the user (never in production)')
  async issue(
    @Body(new ZodValidationPipe(DevTokenBody)) body: DevTokenBody,
  ): Promise<z.infer<typeof DevToken>> {
    if (this.config.NODE_ENV === 'production') throw new NotFoundException();
    return { token: await signDevToken(body.userId, this.config.JWT_SECRET), expiresIn: '12h' };
  }
}
