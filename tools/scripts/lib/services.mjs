// The services `npm start` builds and runs, in start order. Add a service by appending it here;
// nothing else in tools/scripts needs to change.
export const SERVICES = [
  { name: 'chat', port: 3101 },
  { name: 'bots', port: 3104 },
];
