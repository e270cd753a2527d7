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
