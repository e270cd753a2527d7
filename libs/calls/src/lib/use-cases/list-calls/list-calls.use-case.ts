import { Injectable } from '@nestjs/common';
import { type Calls } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { CallParticipantEntity } from '../../entities/call-participant.entity';
import { CallEntity } from '../../entities/call.entity';
import { toCallView } from '../../shared/views';
import { encodeCallCursor } from './call-cursor';

export interface ListCallsInput {
  userId: string;
  limit: number;
  /** Decoded cursor: only calls older than this one. */
  before?: string;
}

export interface CallPage {
  /** Newest first. */
  items: Calls.CallView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Calls I made or was rung for, newest first. Keyset pagination on the call id (UUIDv7, so id order
 * is start order) over the `(user_id, call_id)` index: pages never shift when new calls start.
 */
@Injectable()
export class ListCallsUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: ListCallsInput): Promise<CallPage> {
    const query = this.dataSource
      .createQueryBuilder(CallEntity, 'call')
      .innerJoin(CallParticipantEntity, 'me', 'me.callId = call.id AND me.userId = :userId', {
        userId: input.userId,
      })
      .orderBy('call.id', 'DESC')
      // One extra row tells whether another page exists without a COUNT.
      .limit(input.limit + 1);
    if (input.before !== undefined) query.where('call.id < :before', { before: input.before });
    const rows = await query.getMany();
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page.map(toCallView),
      nextCursor: rows.length > input.limit && last ? encodeCallCursor(last.id) : null,
    };
  }
}
