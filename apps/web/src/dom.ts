/** Attributes and properties `h` understands; `on*` functions become event listeners. */
export type Props = Record<string, string | number | boolean | null | undefined | EventListener>;
export type Child = Node | string | number | null | undefined | false | Child[];

/**
 * `h('button', { class: 'primary', testid: 'send', onclick: send }, 'Send')`: a small
 * hyperscript, enough for a demo without a framework. Text is always set as text, never as HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'testid') {
      element.dataset['testid'] = String(value);
    } else if (name === 'value' && 'value' in element) {
      (element as HTMLInputElement).value = String(value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else
      parent.appendChild(
        typeof child === 'object' ? child : document.createTextNode(String(child)),
      );
  }
}

/** Replaces everything inside `parent`. */
export function mount(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** "14:05" today, "Mon 14:05" this week, else the date. */
export function timeOf(iso: string): string {
  const date = new Date(iso);
  const now = new Date();
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (date.toDateString() === now.toDateString()) return time;
  if (now.getTime() - date.getTime() < 6 * 86_400_000) {
    return `${date.toLocaleDateString([], { weekday: 'short' })} ${time}`;
  }
  return date.toLocaleDateString();
}

/** The first letters of a user id, for an avatar. */
export function initialsOf(userId: string): string {
  const parts = userId.split(/[._@-]+/).filter((part) => part !== '');
  const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : userId.slice(0, 2);
  return letters.toUpperCase();
}

/** A stable pleasant colour per user id. */
export function hueOf(userId: string): number {
  let hash = 0;
  for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % 360;
}

export function avatar(userId: string, extra: Props = {}): HTMLElement {
  return h(
    'span',
    { class: 'avatar', style: `--hue: ${hueOf(userId)}`, title: userId, ...extra },
    initialsOf(userId),
  );
}
