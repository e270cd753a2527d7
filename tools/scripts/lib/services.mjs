// The services `npm start` builds and runs, in start order. Add a service by appending it here;
// nothing else in tools/scripts needs to change.
export const SERVICES = [
  { name: 'chat', port: 3101 },
  { name: 'stories', port: 3102 },
  { name: 'calls', port: 3103 },
  { name: 'bots', port: 3104 },
  // The edge, last: it routes to the others and reads their streams.
  { name: 'gateway', port: 3000 },
];

/**
 * Hosts the default topology does not run, with their default port: another topology starts them
 * (topologies/), and they get an image like the services (tools/docker/generate-dockerfiles.js).
 */
export const OTHER_HOSTS = [{ name: 'monolith', port: 3100 }];

/** The domains, each hosted exactly once by a topology (see topologies/). */
export const DOMAINS = ['chat', 'stories', 'calls', 'bots'];

/**
 * What each host under services/ can carry. A service hosts its own domain; the monolith any of
 * them (`HOST_DOMAINS` picks); the gateway none — it is the edge in front of them all.
 */
export const HOSTS = {
  ...Object.fromEntries(DOMAINS.map((domain) => [domain, { domains: [domain] }])),
  monolith: { domains: DOMAINS, selectsDomains: true },
  gateway: { domains: [] },
};
