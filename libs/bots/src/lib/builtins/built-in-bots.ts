import { type Chat } from '@switchboard/contracts';
import { type EntityManager } from 'typeorm';

/** A command as `/help` and `GET /bots` show it. */
export interface CommandSpec {
  /** Without the slash, e.g. `remind`. */
  name: string;
  /** How to call it, e.g. `/remind <duration> <text>`. */
  usage: string;
  description: string;
}

/** What a built-in bot is: code, not a row; its name is its sender id in chat. */
export interface BuiltInBotSpec {
  name: string;
  description: string;
  commands: readonly CommandSpec[];
}

export const HELP_BOT = 'help-bot';
export const ECHO_BOT = 'echo-bot';
export const REMIND_BOT = 'remind-bot';
export const POLL_BOT = 'poll-bot';
export const STATS_BOT = 'stats-bot';
export const STORIES_BOT = 'stories-bot';

/** Every built-in bot, in the order `/help` lists them. */
export const BUILT_IN_BOTS: readonly BuiltInBotSpec[] = [
  {
    name: HELP_BOT,
    description: 'Lists the commands of the bots installed in this conversation.',
    commands: [{ name: 'help', usage: '/help', description: 'List the commands available here' }],
  },
  {
    name: ECHO_BOT,
    description: 'Repeats what you say.',
    commands: [{ name: 'echo', usage: '/echo <text>', description: 'Repeat the text' }],
  },
  {
    name: REMIND_BOT,
    description: 'Reminds the conversation of something later.',
    commands: [
      {
        name: 'remind',
        usage: '/remind <duration> <text>',
        description: 'Post the text after 30s, 10m, 2h, 1d … (at most 30d)',
      },
    ],
  },
  {
    name: POLL_BOT,
    description: 'Runs one poll at a time per conversation.',
    commands: [
      {
        name: 'poll',
        usage: '/poll "question" "option 1" "option 2" … | /poll close',
        description: 'Start a poll (2 to 10 options), or close the open one and show the results',
      },
      { name: 'vote', usage: '/vote <n>', description: 'Vote for option n (vote again to change)' },
    ],
  },
  {
    name: STATS_BOT,
    description: 'Counts who wrote how many messages here.',
    commands: [{ name: 'stats', usage: '/stats', description: 'Messages per member' }],
  },
  {
    name: STORIES_BOT,
    description: 'Counts the stories the members of this conversation have active now.',
    commands: [
      {
        name: 'stories',
        usage: '/stories',
        description: 'Active stories per member (those shared with all contacts)',
      },
    ],
  },
];

export const BUILT_IN_BOT_NAMES: readonly string[] = BUILT_IN_BOTS.map((bot) => bot.name);

export function builtInBot(name: string): BuiltInBotSpec | undefined {
  return BUILT_IN_BOTS.find((bot) => bot.name === name);
}

/** One command addressed to a built-in bot. */
export interface CommandInvocation {
  /** The event's inbox transaction: effects commit with it, or not at all. */
  manager: EntityManager;
  /** The message that carried the command (a person's, never deleted). */
  message: Chat.MessageView;
  /** Without the slash, lower-case. */
  command: string;
  /** Everything after the command, trimmed. */
  args: string;
}

/** The code behind a built-in bot (one Nest provider each). */
export interface BuiltInBotHandler {
  readonly botName: string;
  handle(invocation: CommandInvocation): Promise<void>;
}

/** Injection token of every `BuiltInBotHandler`. */
export const BUILT_IN_HANDLERS = Symbol('BUILT_IN_HANDLERS');
