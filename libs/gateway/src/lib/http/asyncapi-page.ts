import { type Json } from './service-documents';

const KINDS = [
  ['rpc', 'RPCs', 'request/reply over core NATS'],
  ['event', 'Events', 'JetStream, at least once, through the outbox'],
  ['push', 'Pushes', "core NATS, at most once, to one user's sockets"],
] as const;

/**
 * The AsyncAPI document as one self-contained HTML page: per subject, who sends and who receives
 * it, and each message's headers and payload schema. Rendered on the server from the document —
 * no viewer bundle is a dependency; any AsyncAPI tool can read `/api/asyncapi.json` itself.
 */
export function renderAsyncApiPage(document: Json): string {
  const channels = (document['channels'] ?? {}) as Record<string, Json>;
  const operations = Object.entries((document['operations'] ?? {}) as Record<string, Json>);
  const messages = ((document['components'] as Json | undefined)?.['messages'] ?? {}) as Record<
    string,
    Json
  >;
  const info = (document['info'] ?? {}) as Json;
  const sections = KINDS.map(([kind, title, how]) => {
    const subjects = Object.keys(channels)
      .filter((name) => channels[name]['x-switchboard-kind'] === kind && !name.endsWith('.reply'))
      .sort();
    const items = subjects.map((subject) => {
      const used = operations.filter(
        ([, operation]) => (operation['channel'] as Json)['$ref'] === `#/channels/${subject}`,
      );
      const who = (action: string) =>
        used
          .filter(([, operation]) => operation['action'] === action)
          .map(([id]) => id.split('.').slice(0, 2).join(' '))
          .join(', ') || '—';
      const carried = [channels[subject], channels[`${subject}.reply`]]
        .filter((channel): channel is Json => channel !== undefined)
        .flatMap((channel) => Object.values(channel['messages'] as Record<string, Json>))
        .map((ref) => String(ref['$ref']).slice('#/components/messages/'.length));
      return `<section id="${escape(subject)}"><h3><code>${escape(String(channels[subject]['address']))}</code></h3>
<p>${escape(String(channels[subject]['description'] ?? ''))}</p>
<p><b>Sent by</b> ${escape(who('send'))} · <b>received by</b> ${escape(who('receive'))}</p>
${carried.map((name) => messageHtml(name, messages[name])).join('\n')}</section>`;
    });
    return `<h2>${title} <small>${escape(how)}</small></h2>
<ul>${subjects.map((s) => `<li><a href="#${escape(s)}">${escape(s)}</a></li>`).join('')}</ul>
${items.join('\n')}`;
  });
  const unavailable = (document['x-unavailable'] ?? []) as string[];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(String(info['title'] ?? 'AsyncAPI'))}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
pre{background:#f4f4f4;padding:.5rem;overflow:auto;font-size:13px}small{color:#666;font-weight:normal}
section{border-top:1px solid #ddd;margin-top:1.5rem}</style></head><body>
<h1>${escape(String(info['title'] ?? 'AsyncAPI'))} <small>${escape(String(info['version'] ?? ''))}</small></h1>
<p>${escape(String(info['description'] ?? ''))} The document: <a href="asyncapi.json">asyncapi.json</a>.</p>
${unavailable.length > 0 ? `<p><b>Not answering, left out:</b> ${escape(unavailable.join(', '))}</p>` : ''}
${sections.join('\n')}
</body></html>`;
}

function messageHtml(name: string, message: Json | undefined): string {
  if (message === undefined) return '';
  const headers = message['headers']
    ? `<p>Headers</p><pre>${escape(JSON.stringify(message['headers'], null, 2))}</pre>`
    : '';
  return `<h4>${escape(String(message['title'] ?? name))}</h4>${headers}
<p>Payload</p><pre>${escape(JSON.stringify(message['payload'], null, 2))}</pre>`;
}

function escape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
