// Console output of `npm start`: colour only on a terminal, and errors that are meant for the user.

const useColor =
  process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0'
    ? true
    : process.stdout.isTTY === true && process.env.NO_COLOR === undefined;

const code = (open) => (text) => (useColor ? `\x1b[${open}m${text}\x1b[0m` : String(text));

export const style = {
  bold: code('1'),
  dim: code('2'),
  red: code('31'),
  green: code('32'),
  yellow: code('33'),
  blue: code('34'),
  magenta: code('35'),
  cyan: code('36'),
  gray: code('90'),
};

/** A failure the user can act on: printed as its message, without a stack trace. */
export class UserError extends Error {}

/** A line from this script (as opposed to a line from a service). */
export function say(message) {
  process.stdout.write(`${style.cyan('›')} ${message}\n`);
}

export function warn(message) {
  process.stderr.write(`${style.yellow('! ' + message)}\n`);
}

export function printError(message) {
  process.stderr.write(`${style.red('✖ ' + message)}\n`);
}

export function section(title) {
  process.stdout.write(`\n${style.bold(`── ${title}`)}\n`);
}
