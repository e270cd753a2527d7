import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BotCatalog } from '../../shared/bot-catalog';
import { type BotList, botView } from '../../shared/views';

/** Every bot that can be installed: built-in ones, then webhook bots by name. */
@Injectable()
export class ListBotsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: BotCatalog,
  ) {}

  async execute(): Promise<BotList> {
    const bots = await this.catalog.all(this.dataSource.manager);
    return { bots: bots.map(botView) };
  }
}
